using BenchmarkDotNet.Attributes;
using CareerPath.Domain.Model;
using CareerPath.Domain.Planning;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;

namespace CareerPath.Benchmarks;

/// <summary>What every transition pays in-process: the rules, the state machine, the data round trip.</summary>
[MemoryDiagnoser]
public class HotPaths
{
    readonly AdvisorContractWorkflow _definition = new();
    AdvisorContractData _data = null!;
    string _json = "";
    FireRequest _amend = null!;

    [GlobalSetup]
    public void Setup()
    {
        var post = new FundedPost(Guid.NewGuid(), Guid.NewGuid(), "Poste", [StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.FirstWave, LegalRegime.Public, new DateOnly(2024, 1, 1))]);
        var contract = new Contract(Guid.NewGuid(), Guid.NewGuid(), post.Id, ContractType.Cdd, LegalRegime.Public, new DateOnly(2024, 1, 15), new DateOnly(2026, 1, 14));
        _data = new AdvisorContractData
        {
            Contract = contract, Advisor = new Advisor(contract.AdvisorId, "Camille Martin", "camille@example.fr", false), Post = post,
            HrEmail = "rh@example.fr", HrLeadEmail = "drh@example.fr",
            Trainings = [new TrainingAssignment(Guid.NewGuid(), contract.AdvisorId, TrainingModuleKind.InitialTraining, "Formation", 140,
                new DateOnly(2024, 2, 5), new DateOnly(2024, 4, 26), new DateOnly(2024, 4, 26)) { CompletedOn = new DateOnly(2024, 4, 26) }],
        };
        _json = WorkflowJson.Serialize(_data);
        _amend = new FireRequest(Guid.NewGuid(), null, nameof(ContractState.Active), _json, nameof(ContractTrigger.AmendContract),
            new System.Text.Json.Nodes.JsonObject { ["newEnd"] = "2026-03-31", ["reason"] = "Prolongation" }, "hr", null,
            new DateTimeOffset(2025, 1, 10, 9, 0, 0, TimeSpan.Zero), new DateOnly(2025, 1, 10));
    }

    [Benchmark(Description = "Rules: every deadline of a contract (DeadlinePlanner.Plan)")]
    public int PlanContract() => DeadlinePlanner.Plan(_data.Facts).Count;

    [Benchmark(Description = "Rules: public notice deadline (décret 88-145 art. 38-1)")]
    public DateOnly PublicNotice() => PublicContractNotice.Compute(_data.Contract, [], false, false).Deadline.Date;

    [Benchmark(Description = "One transition in memory: amendment, guards, timers, data JSON")]
    public int FireAmendment() => _definition.Fire(_amend).Timers.Count;

    [Benchmark(Description = "Timer explanations of one contract as stored")]
    public int ExplanationsJson()
    {
        var total = 0;
        foreach (var deadline in DeadlinePlanner.Plan(_data.Facts)) total += DeadlineJson.Write(deadline).Length;
        return total;
    }
}
