using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Actions;

/// <summary>A tranche recorded as received, or why not.</summary>
public sealed record TrancheOutcome(TrancheView? Received, ActionFailure? Failure);

/// <summary>The changes made to a funded post, for the API and the pages alike: a grant tranche received.</summary>
public sealed class PostActions(PostQueries posts, GrantTranches tranches, TimeProvider time)
{
    /// <summary>
    /// A tranche of the grant paid: the post in reach first (else not found), then the fields, then one write
    /// (the same day again changes nothing; the post-funding workflow stops waiting for it in the same transaction).
    /// </summary>
    public async Task<TrancheOutcome> ReceiveTrancheAsync(Caller caller, Guid postId, TrancheReceipt body, CancellationToken ct)
    {
        if (!caller.MaySeeStructure(await posts.StructureOfAsync(postId, ct))) return new(null, ActionFailure.NotFound);
        var check = new Check().Required("conventionId", body.ConventionId).Range("seq", body.Seq, 1, 100).Date("receivedOn", body.ReceivedOn);
        if (body.ReceivedOn > WorkflowEngine.ParisDate(time.GetUtcNow())) check.Add("receivedOn", "Une tranche ne peut pas être reçue dans le futur.");
        if (!check.Ok) return new(null, check.Failure());
        var result = await tranches.ReceiveAsync(postId, body.ConventionId!.Value, body.Seq!.Value, body.ReceivedOn!.Value, caller.Actor, ct);
        return result switch
        {
            { Tranche: { } received } => new(received, null),
            { AlreadyReceivedOn: { } day } => new(null, ActionFailure.Conflict($"Cette tranche est déjà reçue le {day:dd/MM/yyyy}.")),
            _ => new(null, check.Add("seq", "Aucune tranche de ce numéro dans cette convention du poste.").Failure()),
        };
    }
}
