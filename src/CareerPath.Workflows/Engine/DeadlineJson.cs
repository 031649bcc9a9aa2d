using System.Text;
using System.Text.Json;
using CareerPath.Domain.Rules;

namespace CareerPath.Workflows.Engine;

/// <summary>
/// A timer's explanation as stored: the deadline, the rule's id, the inputs and the steps. The rule's
/// title, source and text come back from the catalogue when read, so each timer row stays small.
/// Written by hand: it is on the hot path of every transition, where reflection-based serialization
/// of a dozen deadlines cost more than the rest of the transition.
/// </summary>
public static class DeadlineJson
{
    public static string Write(Deadline deadline)
    {
        using var stream = new MemoryStream(512);
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("key", deadline.Key);
            w.WriteString("label", deadline.Label);
            w.WriteString("date", deadline.Date.ToString("yyyy-MM-dd"));
            w.WriteString("unadjustedDate", deadline.UnadjustedDate.ToString("yyyy-MM-dd"));
            w.WriteString("ruleId", deadline.RuleId);
            w.WriteStartArray("inputs");
            foreach (var input in deadline.Explanation.Inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", input.Name);
                w.WriteString("value", input.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("steps");
            foreach (var step in deadline.Explanation.Steps) w.WriteStringValue(step);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>The stored explanation in words: the deadline, then its rule, source, inputs and steps.</summary>
    public static string Describe(string json) => Read(json).Describe();

    /// <summary>The stored deadline back, its rule's title, text and source from the catalogue (a page shows each part).</summary>
    public static Deadline Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var ruleId = root.GetProperty("ruleId").GetString()!;
        var rule = RuleCatalogue.Contains(ruleId) ? RuleCatalogue.Get(ruleId) : new RuleInfo(ruleId, ruleId, "", "");
        var inputs = root.GetProperty("inputs").EnumerateArray()
            .Select(i => new ExplanationInput(i.GetProperty("name").GetString()!, i.GetProperty("value").GetString()!)).ToList();
        var steps = root.GetProperty("steps").EnumerateArray().Select(s => s.GetString()!).ToList();
        var date = DateOnly.ParseExact(root.GetProperty("date").GetString()!, "yyyy-MM-dd");
        var unadjusted = DateOnly.ParseExact(root.GetProperty("unadjustedDate").GetString()!, "yyyy-MM-dd");
        return new Deadline(root.GetProperty("key").GetString()!, root.GetProperty("label").GetString()!, date, unadjusted,
            new Explanation(rule, inputs, steps));
    }
}
