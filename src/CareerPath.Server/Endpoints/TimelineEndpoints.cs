using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

/// <summary>An advisor's timeline: each contract's journal, the deadlines already reached and those to come, with their reasons.</summary>
public static class TimelineEndpoints
{
    public static void MapTimeline(this RouteGroupBuilder api)
    {
        // One advisor's contracts, a handful at most: one answer, not pages.
        api.MapGet("/advisors/{id:guid}/timeline", async Task<Results<Ok<IReadOnlyList<ContractTimeline>>, NotFoundProblem, ForbiddenProblem, BadRequestProblem>> (
            Guid id, string? motif, AdvisorFiles files, TimelineQueries timelines, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var access = await files.CheckAsync(caller, id, motif, ct);
            if (Common.Refusal<IReadOnlyList<ContractTimeline>>(access) is { } refused) return refused;
            // The advisor sees all of their contracts; an HR manager those of their structures only.
            var result = await timelines.ForAdvisorAsync(id, caller.Scope(), showActors: !caller.IsAdvisor, ct);
            await log.RecordAsync(caller, access.Action("advisors.timeline"), "advisor", id, result.Count, ct);
            return TypedResults.Ok(result);
        }).WithTags("Conseillers").RequireAuthorization(Policies.PersonalRecords).WithName("getAdvisorTimeline").WithSummary("Lire le parcours d'un conseiller");
    }
}
