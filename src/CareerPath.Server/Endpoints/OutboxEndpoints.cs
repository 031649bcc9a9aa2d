using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

/// <summary>Administrators: the e-mails written by the workflows and their delivery status.</summary>
public static class OutboxEndpoints
{
    public static void MapOutbox(this RouteGroupBuilder api)
    {
        api.MapGet("/outbox", List).WithTags("Administration").RequireAuthorization(Policies.Admin)
            .WithName("listOutboxMessages").WithSummary("Lister les e-mails écrits par les workflows et leur envoi (page par page, les plus récents d'abord)");
        api.MapPost("/outbox/{id:guid}/resend", Resend).WithTags("Administration").RequireAuthorization(Policies.Admin)
            .WithName("resendOutboxMessage")
            .WithSummary("Renvoyer un e-mail en échec : il repart en file d'attente avec tous ses essais (son incident ouvert est clos) ; 409 s'il n'est pas en échec");
    }

    static async Task<Results<NoContent, NotFoundProblem, ConflictProblem>> Resend(Guid id, EngineActions engine, HttpContext http, CancellationToken ct) =>
        await engine.ResendAsync(http.Caller(), id, ct) switch
        {
            null => TypedResults.NoContent(),
            { Kind: FailureKind.NotFound } => new NotFoundProblem(),
            var f => new ConflictProblem(f.Message),
        };

    static async Task<Results<Ok<Page<OutboxMessageView>>, ValidationProblem>> List(string? status, [AsParameters] PageQuery paging, OutboxQueries outbox,
        InstanceAdminQueries instances, AccessLog log, HttpContext http, CancellationToken ct)
    {
        var check = new Check();
        if (status is not null && !OutboxQueries.Statuses.Contains(status)) check.Add("status", "Valeur inconnue : attendu Pending, Sent ou Failed.");
        if (!check.Ok) return check.Problem();
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        if (await outbox.ListAsync(status, page, ct) is not { } messages) return Common.InvalidCursor();
        // The messages are about advisors (their names, addresses): the log says whose.
        var advisors = await instances.AdvisorsOfAsync([.. messages.Items.Where(m => m.InstanceId is not null).Select(m => m.InstanceId!.Value)], ct);
        await log.RecordAsync(http.Caller(), "outbox.list", "outbox", null, messages.Items.Count, ct, advisors);
        return TypedResults.Ok(messages);
    }
}
