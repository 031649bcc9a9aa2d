using CareerPath.Server.Web;

namespace CareerPath.Server.Pages;

/// <summary>The page of an error answer (re-executed with the original status code).</summary>
// A form post that failed (an expired antiforgery token among others) is re-executed here as a POST: it must not be refused again.
[Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryToken]
public sealed class ErreurModel : CareerPathPage
{
    public int Code { get; private set; }
    public string Title { get; private set; } = "";
    public string Lead { get; private set; } = "";
    public string Detail { get; private set; } = "";

    public void OnGet(int code) => Show(code);

    // A form posted to a page that failed re-executes as a POST: the same page.
    public void OnPost(int code) => Show(code);

    void Show(int code)
    {
        // An exception is re-executed on /erreur/500; the status chosen for it says whether it was a database outage.
        if (HttpContext.Response.StatusCode == StatusCodes.Status503ServiceUnavailable) code = StatusCodes.Status503ServiceUnavailable;
        Code = code;
        (Title, Lead, Detail) = code switch
        {
            404 => ("Page non trouvée", "La page que vous cherchez est introuvable.",
                "Elle n'existe pas, ou vous n'avez pas le droit de la voir (un dossier hors de vos structures ne s'affiche pas). Vérifiez l'adresse, ou repartez de l'accueil."),
            403 => ("Accès refusé", "Votre rôle ne donne pas accès à cette page.", "Si vous pensez devoir y accéder, adressez-vous à l'administrateur de CareerPath."),
            400 => ("Requête invalide", "La requête n'a pas pu être traitée.",
                "Le formulaire a peut-être expiré (rechargez la page et recommencez), ou l'adresse contient une valeur invalide."),
            429 => ("Trop de requêtes", "Trop de tentatives en peu de temps.", "Réessayez dans une minute."),
            503 => ("Service momentanément indisponible", "La base de données ne répond pas pour l'instant.",
                "Rien n'a été enregistré : réessayez dans quelques secondes. Si le problème persiste, prévenez l'administrateur."),
            >= 500 => ("Erreur inattendue", "Désolé, le service rencontre un problème.", "Rien n'a été enregistré à moitié : réessayez dans un instant. Si le problème persiste, prévenez l'administrateur."),
            _ => ("Erreur", "La requête n'a pas abouti.", "Repartez de l'accueil."),
        };
        // Re-executed pages keep the original status; a direct visit answers with the code it shows.
        if (HttpContext.Response.StatusCode == 200 && code is >= 400 and < 600) HttpContext.Response.StatusCode = code;
        if (code == StatusCodes.Status503ServiceUnavailable)
            HttpContext.Response.Headers.RetryAfter = Api.DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
