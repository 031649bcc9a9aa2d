using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;

namespace CareerPath.Workflows.Tests.Engine;

/// <summary>The diagrams come from the definitions' code (WorkflowDefinition.ToMermaid).</summary>
public sealed class MermaidTests
{
    [Fact]
    public void Advisor_contract_diagram_shows_every_state_and_its_transitions()
    {
        var diagram = new AdvisorContractWorkflow().ToMermaid();

        AssertDiagramOf(new AdvisorContractWorkflow(), diagram);
        Assert.Contains("Created --> Recruited : Start", diagram);
        Assert.Contains("MidContractReview --> Active : ReviewCompleted", diagram);
        Assert.Contains("FollowUp --> Closed : FinalFollowUpDue", diagram);
        Assert.Contains("state Running {", diagram);
    }

    [Fact]
    public void Post_funding_diagram_shows_every_state_and_its_transitions()
    {
        var diagram = new PostFundingWorkflow().ToMermaid();

        AssertDiagramOf(new PostFundingWorkflow(), diagram);
        Assert.Contains("Granted --> Recruiting : ConventionStarted", diagram);
        Assert.Contains("FundingEnding --> Renewed : ConventionRenewed", diagram);
        Assert.Contains("state Funded {", diagram);
    }

    static void AssertDiagramOf(IWorkflowDefinition definition, string diagram)
    {
        Assert.StartsWith("stateDiagram-v2", diagram);
        Assert.Contains("[*] --> Created", diagram);
        var lines = diagram.Split('\n').Select(l => l.Trim()).ToList();
        foreach (var state in definition.States)
            Assert.Contains(lines, l => l == state || l.StartsWith($"{state} -->") || l.Contains($"--> {state} ") || l == $"state {state} {{");
    }
}
