using System.Globalization;
using CareerPath.Workflows.Engine;

namespace CareerPath.Server.Web;

/// <summary>Dates and counts as a French reader expects them (dates in Paris time).</summary>
public static class Fr
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("fr-FR");

    /// <summary>29 novembre 2026</summary>
    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", Culture);

    public static string Date(DateTimeOffset instant) => Date(WorkflowEngine.ParisDate(instant));

    /// <summary>29/11/2026, for tables.</summary>
    public static string Short(DateOnly date) => date.ToString("dd/MM/yyyy", Culture);

    public static string Short(DateTimeOffset instant) => Short(WorkflowEngine.ParisDate(instant));

    public static string DateTime(DateTimeOffset instant)
    {
        var paris = TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        return paris.ToString("d MMMM yyyy 'à' HH'h'mm", Culture);
    }

    /// <summary>"dans 3 jours", "aujourd'hui", "il y a 2 jours".</summary>
    public static string Relative(DateOnly date, DateOnly today)
    {
        var days = date.DayNumber - today.DayNumber;
        return days switch
        {
            0 => "aujourd'hui",
            1 => "demain",
            -1 => "hier",
            > 0 => $"dans {days} jours",
            _ => $"il y a {-days} jours",
        };
    }

    public static string Plural(int count, string one, string many) => $"{count} {(count is 0 or 1 ? one : many)}";
}
