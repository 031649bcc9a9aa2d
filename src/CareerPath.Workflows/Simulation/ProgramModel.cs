using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Simulation;

/// <summary>How one advisor's people behave: drawn once from the seed, so a seed replays identically.</summary>
public sealed record Behaviour
{
    public int TrainingScheduledAfterDays { get; init; } = 10;
    public int TrainingStartsAfterDays { get; init; } = 14;
    public int TrainingHours { get; init; } = 140;
    /// <summary>Days after the training end each exam is passed; null: never passed (missing certification).</summary>
    public int? PixPassedAfterDays { get; init; } = 30;
    public int? Ccp1PassedAfterDays { get; init; } = 60;
    public bool FailsCcp1First { get; init; }
    public int? TrialFailsOnDay { get; init; }
    public (int Day, TerminationReason Reason)? EarlyEnd { get; init; }
    /// <summary>Days after the review task opens; null: the review is never recorded.</summary>
    public int? ReviewAfterDays { get; init; } = 10;
    /// <summary>Days after the decision task opens; null: never decided. Large values are late decisions.</summary>
    public int? DecisionAfterDays { get; init; } = 20;
    public DecisionKind Decision { get; init; } = DecisionKind.NotRetained;
    public DecisionKind DecisionAfterRenewal { get; init; } = DecisionKind.NotRetained;
    public int RenewalMonths { get; init; } = 12;
    public int? OutcomeAfterDays { get; init; } = 15;
    public OutcomeKind Outcome6 { get; init; } = OutcomeKind.JobSeeker;
    public OutcomeKind Outcome12 { get; init; } = OutcomeKind.EmployedPermanentlyElsewhere;
}

/// <summary>A simulated structure, its HR addresses, and the INSEE code of its département (that of its town).</summary>
public sealed record SimStructure(Structure Structure, string HrEmail, string HrLeadEmail, string Departement);

public sealed record SimAdvisor(int Index, Advisor Advisor, SimStructure Structure, FundedPost Post, Contract Contract, Behaviour Behaviour);

/// <summary>
/// A national program in miniature: structures of every kind and legal regime, one funded post per
/// advisor, contracts of every type starting in recruitment waves, and seeded behaviours.
/// </summary>
public sealed class ProgramModel
{
    public required IReadOnlyList<SimStructure> Structures { get; init; }
    public required IReadOnlyList<SimAdvisor> Advisors { get; init; }

    static readonly string[] FirstNames = ["Camille", "Dominique", "Claude", "Sacha", "Alix", "Morgan", "Lou", "Charlie", "Eden", "Noa", "Yanis", "Inès", "Jules", "Léa", "Nour", "Malik"];
    static readonly string[] LastNames = ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Fournier", "Girard", "Bonnet", "Mercier", "Lambert", "Faure", "Rousseau", "Blanc", "Garnier", "Chevalier"];
    /// <summary>
    /// The towns structures are named after, each with its département (INSEE code): the first sixteen are
    /// the small demo's (four regions for its seven structures), the rest reach every region, overseas and
    /// Corsica included, so that a national simulation spreads over the 18 regions.
    /// </summary>
    static readonly (string Town, string Departement)[] Places =
    [
        ("Aubenas", "07"), ("Guéret", "23"), ("Saint-Flour", "15"), ("Millau", "12"), ("Auch", "32"), ("Mende", "48"), ("Digne", "04"), ("Foix", "09"),
        ("Privas", "07"), ("Tulle", "19"), ("Cahors", "46"), ("Vesoul", "70"), ("Lons", "39"), ("Chaumont", "52"), ("Laval", "53"), ("Alençon", "61"),
        ("Guingamp", "22"), ("Pontivy", "56"), ("Étampes", "91"), ("Provins", "77"), ("Avesnes", "59"), ("Péronne", "80"), ("Vierzon", "18"),
        ("Châteaudun", "28"), ("Corte", "2B"), ("Sartène", "2A"), ("Verdun", "55"), ("Saint-Dié", "88"), ("Basse-Terre", "971"), ("Schœlcher", "972"),
        ("Saint-Laurent-du-Maroni", "973"), ("Saint-Benoît", "974"), ("Mamoudzou", "976"), ("Bressuire", "79"), ("Briançon", "05"), ("Coutances", "50"),
    ];

    /// <param name="firstStart">Start of the first recruitment wave; the waves span <paramref name="spreadDays"/> days.</param>
    public static ProgramModel Generate(int advisors, int seed, DateOnly firstStart, int spreadDays)
    {
        var random = new Random(seed);
        var structures = new List<SimStructure>();
        var structureCount = Math.Max(3, advisors / 4);
        for (var i = 0; i < structureCount; i++)
        {
            var kind = (StructureKind)(i % 5);
            var regime = kind is StructureKind.Association or StructureKind.OtherSocialEconomy ? LegalRegime.Private : LegalRegime.Public;
            var (place, departement) = Places[i % Places.Length];
            var name = kind switch
            {
                StructureKind.Commune => $"Mairie de {place}",
                StructureKind.Epci => $"Communauté de communes du pays de {place}",
                StructureKind.Departement => $"Département — antenne de {place}",
                StructureKind.Association => $"Association Numérique pour tous {place}",
                _ => $"SCIC Inclusion numérique {place}",
            } + (i >= Places.Length ? $" {i / Places.Length + 1}" : "");
            var slug = $"s{i:0000}";
            var structure = new Structure(SeededGuid(random), name, kind, regime,
                [new HrContact($"RH {place}", $"rh@{slug}.example.fr", false), new HrContact($"DRH {place}", $"drh@{slug}.example.fr", true)]);
            structures.Add(new SimStructure(structure, $"rh@{slug}.example.fr", $"drh@{slug}.example.fr", departement));
        }

        var list = new List<SimAdvisor>();
        for (var i = 0; i < advisors; i++)
        {
            // HashCode is randomised per process: a seed must give the same program in every run.
            var r = new Random(unchecked(seed * 1_000_003 + i * 7_919));
            var sim = structures[i % structures.Count];
            var regime = sim.Structure.Regime;
            // Recruitment came in waves: most advisors were hired in the first weeks of each wave.
            var wave = r.Next(4);
            var start = firstStart.AddDays(wave * spreadDays / 4 + r.Next(Math.Max(1, spreadDays / 8)));
            var grantStart = start.AddDays(-r.Next(10, 80));
            var convention = StandardFunding.StandardConvention(SeededGuid(r), ConventionWave.FirstWave, regime, grantStart);
            var post = new FundedPost(SeededGuid(r), sim.Structure.Id, $"Poste de conseiller numérique n° {i + 1}", [convention]);
            var (type, months) = ContractShape(regime, r);
            var end = months is { } m ? DateMath.AddMonths(start, m).AddDays(-1) : (DateOnly?)null;
            var advisorId = SeededGuid(r);
            var first = FirstNames[r.Next(FirstNames.Length)];
            var last = LastNames[r.Next(LastNames.Length)];
            var advisor = new Advisor(advisorId, $"{first} {last}", $"{Slug(first)}.{Slug(last)}.{i}@conseiller-numerique.example.fr", r.NextDouble() < 0.04);
            var contract = new Contract(SeededGuid(r), advisorId, post.Id, type, regime, start, end);
            list.Add(new SimAdvisor(i, advisor, sim, post, contract, DrawBehaviour(r, contract)));
        }
        return new ProgramModel { Structures = structures, Advisors = list };
    }

    static (ContractType, int?) ContractShape(LegalRegime regime, Random r)
    {
        var x = r.NextDouble();
        return regime == LegalRegime.Public
            ? x switch { < 0.65 => (ContractType.Cdd, 24), < 0.85 => (ContractType.ContratDeProjet, r.Next(2) == 0 ? 24 : 36), < 0.95 => (ContractType.Cdd, 12), _ => (ContractType.Cdi, null) }
            : x switch { < 0.45 => (ContractType.Cdd, 18), < 0.75 => (ContractType.Pec, 12), < 0.9 => (ContractType.Cdd, 12), _ => (ContractType.Cdi, null) };
    }

    static Behaviour DrawBehaviour(Random r, Contract contract)
    {
        var length = contract.End is { } e ? e.DayNumber - contract.Start.DayNumber : 730;
        var exams = r.NextDouble();
        var early = r.NextDouble() < 0.08 ? (r.Next(90, Math.Max(91, length - 30)), r.NextDouble() < 0.7 ? TerminationReason.Resignation : TerminationReason.MutualAgreement) : ((int, TerminationReason)?)null;
        var decisionTiming = r.NextDouble();
        var canTitularise = contract.Regime == LegalRegime.Public;
        var kind = r.NextDouble() switch
        {
            < 0.15 when canTitularise => DecisionKind.Titularisation,
            < 0.40 => DecisionKind.PermanentHireCdi,
            < 0.62 => DecisionKind.Renewal,
            _ => DecisionKind.NotRetained,
        };
        return new Behaviour
        {
            TrainingScheduledAfterDays = r.Next(3, 25),
            TrainingStartsAfterDays = r.Next(7, 30),
            TrainingHours = new[] { 70, 105, 140, 210, 280, 420 }[r.Next(6)],
            PixPassedAfterDays = exams < 0.9 ? r.Next(10, 120) : null,
            Ccp1PassedAfterDays = exams < 0.85 ? r.Next(20, 160) : null,
            FailsCcp1First = exams is > 0.7 and < 0.85,
            TrialFailsOnDay = r.NextDouble() < 0.03 ? r.Next(5, 40) : null,
            EarlyEnd = early,
            ReviewAfterDays = r.NextDouble() < 0.95 ? r.Next(2, 30) : null,
            DecisionAfterDays = decisionTiming switch { < 0.80 => r.Next(0, 50), < 0.92 => r.Next(65, 90), _ => null },
            Decision = kind,
            DecisionAfterRenewal = r.NextDouble() < 0.45 ? DecisionKind.PermanentHireCdi : DecisionKind.NotRetained,
            RenewalMonths = r.Next(2) == 0 ? 12 : 6,
            OutcomeAfterDays = r.NextDouble() < 0.85 ? r.Next(3, 30) : null,
            Outcome6 = DrawOutcome(r),
            Outcome12 = DrawOutcome(r),
        };
    }

    static OutcomeKind DrawOutcome(Random r) => r.NextDouble() switch
    {
        < 0.35 => OutcomeKind.EmployedPermanentlyElsewhere,
        < 0.65 => OutcomeKind.JobSeeker,
        < 0.75 => OutcomeKind.Training,
        < 0.85 => OutcomeKind.Other,
        _ => OutcomeKind.Unknown,
    };

    static Guid SeededGuid(Random r)
    {
        Span<byte> bytes = stackalloc byte[16];
        r.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 layout, deterministic content
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    static string Slug(string s) => new string(s.Normalize(System.Text.NormalizationForm.FormD)
        .Where(c => char.IsAsciiLetter(c)).ToArray()).ToLowerInvariant();

    /// <summary>The reference rows (structures, posts, conventions, advisors, contracts), in one transaction.</summary>
    public async Task InsertReferenceDataAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        Storage.DapperTypes.Register();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (s, i) in Structures.Select((s, i) => (s, i)))
        {
            // A fictional SIRET (99 then the structure's number): a CSV import names a structure by its SIRET.
            await conn.ExecuteAsync("""
                INSERT INTO structure (id, name, kind, legal_regime, siret, departement) VALUES (@Id, @Name, @Kind, @Regime, @Siret, @Departement)
                """, new
            {
                s.Structure.Id, s.Structure.Name, Kind = s.Structure.Kind.ToString(), Regime = s.Structure.Regime.ToString(), Siret = $"99{i:D12}", s.Departement,
            }, tx);
            foreach (var c in s.Structure.HrContacts)
                await conn.ExecuteAsync("INSERT INTO hr_contact (id, structure_id, full_name, email, is_lead) VALUES (@id, @sid, @Name, @Email, @IsLead)",
                    new { id = Guid.NewGuid(), sid = s.Structure.Id, c.Name, c.Email, c.IsLead }, tx);
        }
        foreach (var a in Advisors)
        {
            await conn.ExecuteAsync("INSERT INTO funded_post (id, structure_id, label) VALUES (@Id, @StructureId, @Label)", a.Post, tx);
            foreach (var g in a.Post.Conventions) await Records.ReferenceData.InsertConventionAsync(conn, tx, a.Post.Id, g);
            await conn.ExecuteAsync("""
                INSERT INTO advisor (id, full_name, work_email, has_recognised_disability, structure_id)
                VALUES (@Id, @FullName, @WorkEmail, @HasRecognisedDisability, @structureId)
                """, new { a.Advisor.Id, a.Advisor.FullName, a.Advisor.WorkEmail, a.Advisor.HasRecognisedDisability, structureId = a.Structure.Structure.Id }, tx);
            // The contract's record is written by its workflow's start (the engine's projection), not here.
        }
        await tx.CommitAsync(ct);
    }
}
