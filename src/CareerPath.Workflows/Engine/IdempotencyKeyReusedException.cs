namespace CareerPath.Workflows.Engine;

/// <summary>
/// An idempotency key already used for another request on this instance (another route or another body):
/// replaying the first result would silently drop the second request, so the caller is told (HTTP 422).
/// </summary>
public sealed class IdempotencyKeyReusedException(string key)
    : Exception("Cette clé Idempotency-Key a déjà servi pour une autre requête (autre action ou autre contenu) : " +
                "rien n'a été enregistré. Utilisez une nouvelle clé pour une nouvelle requête, ou renvoyez exactement la même requête.")
{
    public string Key { get; } = key;
}
