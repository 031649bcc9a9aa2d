namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>
/// What an attacker can deduce about unknown integers tied by linear constraints (Σ aᵢxᵢ = b or ≥ b) and bounds:
/// exact, by bounds tightening (each constraint narrows each of its variables from the others' bounds, until
/// nothing changes) and a complete branch-and-bound search for integer solutions. <see cref="Range"/> answers, for
/// one variable, whether it can take another value than a known solution's: with a second solution as witness
/// (checked against every constraint), or a proof that none exists (the search exhausted, the variable pinned).
/// Propagation alone would miss nothing it claims (its bounds are sound) but may claim freedom that does not exist;
/// the witness makes the claim exact.
/// </summary>
public sealed class BoundSolver
{
    readonly List<long> _lo = [], _hi = [];
    readonly List<(int[] Vars, long[] Coefs, long Rhs, bool Equality)> _constraints = [];
    readonly List<List<int>> _uses = [];

    public int Count => _lo.Count;

    public int Add(long lo, long hi)
    {
        if (lo > hi) throw new ArgumentException($"Empty bounds [{lo}, {hi}].");
        _lo.Add(lo);
        _hi.Add(hi);
        _uses.Add([]);
        return _lo.Count - 1;
    }

    /// <summary>Σ coef·x = rhs.</summary>
    public void Equal(IEnumerable<(int Var, long Coef)> terms, long rhs) => Constrain(terms, rhs, true);

    /// <summary>Σ coef·x ≥ rhs.</summary>
    public void AtLeast(IEnumerable<(int Var, long Coef)> terms, long rhs) => Constrain(terms, rhs, false);

    void Constrain(IEnumerable<(int Var, long Coef)> terms, long rhs, bool equality)
    {
        var merged = terms.GroupBy(t => t.Var).Select(g => (Var: g.Key, Coef: g.Sum(t => t.Coef))).Where(t => t.Coef != 0).ToArray();
        var c = _constraints.Count;
        _constraints.Add((merged.Select(t => t.Var).ToArray(), merged.Select(t => t.Coef).ToArray(), rhs, equality));
        foreach (var (v, _) in merged) _uses[v].Add(c);
    }

    /// <summary>Whether a full assignment meets every bound and constraint.</summary>
    public bool Satisfies(IReadOnlyList<long> x)
    {
        for (var v = 0; v < Count; v++)
            if (x[v] < _lo[v] || x[v] > _hi[v]) return false;
        foreach (var (vars, coefs, rhs, equality) in _constraints)
        {
            long sum = 0;
            for (var k = 0; k < vars.Length; k++) sum += coefs[k] * x[vars[k]];
            if (equality ? sum != rhs : sum < rhs) return false;
        }
        return true;
    }

    /// <summary>The bounds every solution keeps, by tightening to a fixed point; null when there is no solution.</summary>
    public (long[] Lo, long[] Hi)? Tighten()
    {
        long[] lo = [.. _lo], hi = [.. _hi];
        return Tighten(lo, hi, Enumerable.Range(0, _constraints.Count)) ? (lo, hi) : null;
    }

    bool Tighten(long[] lo, long[] hi, IEnumerable<int> start)
    {
        var queue = new Queue<int>(start);
        var queued = new bool[_constraints.Count];
        foreach (var c in queue) queued[c] = true;
        while (queue.TryDequeue(out var c))
        {
            queued[c] = false;
            var (vars, coefs, rhs, equality) = _constraints[c];
            long min = 0, max = 0;
            for (var k = 0; k < vars.Length; k++)
            {
                var (a, b) = coefs[k] > 0 ? (coefs[k] * lo[vars[k]], coefs[k] * hi[vars[k]]) : (coefs[k] * hi[vars[k]], coefs[k] * lo[vars[k]]);
                min += a;
                max += b;
            }
            if (max < rhs || (equality && min > rhs)) return false;
            for (var k = 0; k < vars.Length; k++)
            {
                var v = vars[k];
                var a = coefs[k];
                var (termMin, termMax) = a > 0 ? (a * lo[v], a * hi[v]) : (a * hi[v], a * lo[v]);
                // a·x ≥ rhs − (max of the others); and, for an equality, a·x ≤ rhs − (min of the others).
                var low = rhs - (max - termMax);
                long? high = equality ? rhs - (min - termMin) : null;
                long newLo = lo[v], newHi = hi[v];
                if (a > 0)
                {
                    newLo = Math.Max(newLo, CeilDiv(low, a));
                    if (high is { } h) newHi = Math.Min(newHi, FloorDiv(h, a));
                }
                else
                {
                    newHi = Math.Min(newHi, FloorDiv(low, a));
                    if (high is { } h) newLo = Math.Max(newLo, CeilDiv(h, a));
                }
                if (newLo > newHi) return false;
                if (newLo == lo[v] && newHi == hi[v]) continue;
                lo[v] = newLo;
                hi[v] = newHi;
                foreach (var other in _uses[v])
                    if (!queued[other])
                    {
                        queued[other] = true;
                        queue.Enqueue(other);
                    }
                // The sums of this constraint changed: the remaining terms are narrowed on its next visit.
                if (!queued[c])
                {
                    queued[c] = true;
                    queue.Enqueue(c);
                }
                break;
            }
        }
        return true;
    }

    static long FloorDiv(long a, long b) => a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
    static long CeilDiv(long a, long b) => a / b + ((a % b != 0 && (a < 0) == (b < 0)) ? 1 : 0);

    /// <summary>What one variable can be, next to a known solution.</summary>
    /// <param name="Lo">Its lower bound after tightening.</param>
    /// <param name="Hi">Its upper bound after tightening.</param>
    /// <param name="Other">A second integer solution where it differs (checked), or null.</param>
    /// <param name="Exhausted">True when the search proved that no other value exists (false: it gave up at its node limit).</param>
    public sealed record Freedom(long Lo, long Hi, long[]? Other, bool Exhausted)
    {
        public bool Free => Other is not null;
    }

    /// <summary>Whether <paramref name="v"/> can take another value than in <paramref name="solution"/>, itself a solution.</summary>
    public Freedom Range(int v, IReadOnlyList<long> solution, int nodeLimit = 200_000)
    {
        if (!Satisfies(solution)) throw new ArgumentException("The known assignment is not a solution.");
        var lo = _lo.ToArray();
        var hi = _hi.ToArray();
        if (!Tighten(lo, hi, Enumerable.Range(0, _constraints.Count))) throw new InvalidOperationException("Tightening lost a solution.");
        var exhausted = true;
        foreach (var side in new[] { -1, 1 })
        {
            var l = (long[])lo.Clone();
            var h = (long[])hi.Clone();
            if (side < 0) h[v] = solution[v] - 1; else l[v] = solution[v] + 1;
            if (l[v] > h[v]) continue;
            var nodes = 0;
            var found = Search(l, h, _uses[v], solution, ref nodes, nodeLimit);
            if (found is not null)
            {
                if (!Satisfies(found) || found[v] == solution[v]) throw new InvalidOperationException("The search returned a wrong solution.");
                return new(lo[v], hi[v], found, false);
            }
            if (nodes >= nodeLimit) exhausted = false;
        }
        return new(lo[v], hi[v], null, exhausted);
    }

    /// <summary>
    /// Depth first, as a repair of the known solution: tighten, then take every variable at its known value brought
    /// into its bounds; if that meets every constraint it is a solution, else branch on a variable of the first
    /// constraint it breaks (the one of smallest domain): first moved the way that constraint needs, then kept, then
    /// moved the other way. The three branches cover the domain, so the search is complete; staying near the known
    /// solution finds the small changes that keep every sum (a few cells moved together) in few nodes.
    /// </summary>
    long[]? Search(long[] lo, long[] hi, IEnumerable<int> changed, IReadOnlyList<long> near, ref int nodes, int limit)
    {
        if (++nodes > limit) return null;
        if (!Tighten(lo, hi, changed)) return null;
        var x = new long[lo.Length];
        for (var v = 0; v < x.Length; v++) x[v] = Math.Clamp(near[v], lo[v], hi[v]);
        var broken = -1;
        long gap = 0;
        for (var c = 0; c < _constraints.Count && broken < 0; c++)
        {
            var (vars, coefs, rhs, equality) = _constraints[c];
            long sum = 0;
            for (var k = 0; k < vars.Length; k++) sum += coefs[k] * x[vars[k]];
            if (equality ? sum != rhs : sum < rhs) (broken, gap) = (c, rhs - sum);
        }
        if (broken < 0) return x;
        var (bv, bc, _, _) = _constraints[broken];
        var pick = -1;
        long coef = 0;
        for (var k = 0; k < bv.Length; k++)
            if (lo[bv[k]] < hi[bv[k]] && (pick < 0 || hi[bv[k]] - lo[bv[k]] < hi[pick] - lo[pick])) (pick, coef) = (bv[k], bc[k]);
        if (pick < 0) return null; // every variable of the broken constraint is fixed: tightening would have said so
        var target = x[pick];
        (long, long) up = (target + 1, hi[pick]), keep = (target, target), down = (lo[pick], target - 1);
        var branches = (gap > 0) == (coef > 0) ? new[] { up, keep, down } : [down, keep, up];
        foreach (var (l, h) in branches)
        {
            if (l > h) continue;
            var a = (long[])lo.Clone();
            var b = (long[])hi.Clone();
            a[pick] = l;
            b[pick] = h;
            if (Search(a, b, _uses[pick], near, ref nodes, limit) is { } found) return found;
            if (nodes > limit) return null;
        }
        return null;
    }
}
