using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Pages.Admin;

/// <summary>The administrators' home: the engine at work (open incidents, failed e-mails) and every administration page.</summary>
public sealed class IndexModel(InstanceAdminQueries instances, OutboxQueries outbox) : CareerPathPage
{
    /// <summary>The Hangfire dashboard, as ServerApp maps it (UseHangfireDashboard).</summary>
    public const string HangfirePath = "/hangfire";

    public bool OpenIncidents { get; private set; }
    public bool FailedMessages { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration")];

    public async Task OnGetAsync(CancellationToken ct)
    {
        // Whether there is anything at all (one row read): the lists themselves are on their pages.
        OpenIncidents = (await instances.IncidentsAsync(openOnly: true, PageRequest.First(1), ct))!.Items.Count > 0;
        FailedMessages = (await outbox.ListAsync("Failed", PageRequest.First(1), ct))!.Items.Count > 0;
    }
}
