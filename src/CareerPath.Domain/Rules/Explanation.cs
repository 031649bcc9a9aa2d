using System.Text;

namespace CareerPath.Domain.Rules;

public sealed record ExplanationInput(string Name, string Value);

/// <summary>Why a date or a verdict is what it is: the rule, the facts it used, and each step of the computation.</summary>
public sealed record Explanation(RuleInfo Rule, IReadOnlyList<ExplanationInput> Inputs, IReadOnlyList<string> Steps)
{
    /// <summary>One French paragraph: rule and source, inputs, then the steps in order.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"Règle « {Rule.Title} » ({Rule.Source}) : {Rule.Explanation}");
        if (Inputs.Count > 0) text.Append(" Données : ").AppendJoin(" ; ", Inputs.Select(i => $"{i.Name} : {i.Value}")).Append('.');
        if (Steps.Count > 0) text.Append(" Calcul : ").AppendJoin(" ", Steps);
        return text.ToString();
    }
}
