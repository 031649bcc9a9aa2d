namespace CareerPath.Domain.Model;

/// <summary>A region of France as INSEE codes it (two digits: 84 Auvergne-Rhône-Alpes, 01 Guadeloupe…).</summary>
public sealed record Region(string Code, string Name);

/// <summary>A département as INSEE codes it (01…95, 2A and 2B for Corsica, 971…976 overseas), in its region.</summary>
public sealed record Departement(string Code, string Name, Region Region);

/// <summary>
/// The départements of France and their regions: the 101 départements and the 18 regions in force since
/// 1 January 2016 (loi n° 2015-29 du 16 janvier 2015 relative à la délimitation des régions), 13 in
/// metropolitan France and 5 overseas (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte; Mayotte a
/// département since 2011). Codes and names are those of INSEE's Code officiel géographique (COG) 2024,
/// files « départements » and « régions » (https://www.insee.fr/fr/information/7766585). Saint-Pierre-et-Miquelon
/// (975) and the other overseas collectivities are not départements and are refused. Alsace's two
/// départements keep their codes 67 and 68 in the COG although the Collectivité européenne d'Alsace (2021)
/// governs both.
/// </summary>
public static class Territory
{
    static readonly Region Guadeloupe = new("01", "Guadeloupe");
    static readonly Region Martinique = new("02", "Martinique");
    static readonly Region Guyane = new("03", "Guyane");
    static readonly Region LaReunion = new("04", "La Réunion");
    static readonly Region Mayotte = new("06", "Mayotte");
    static readonly Region IleDeFrance = new("11", "Île-de-France");
    static readonly Region CentreValDeLoire = new("24", "Centre-Val de Loire");
    static readonly Region BourgogneFrancheComte = new("27", "Bourgogne-Franche-Comté");
    static readonly Region Normandie = new("28", "Normandie");
    static readonly Region HautsDeFrance = new("32", "Hauts-de-France");
    static readonly Region GrandEst = new("44", "Grand Est");
    static readonly Region PaysDeLaLoire = new("52", "Pays de la Loire");
    static readonly Region Bretagne = new("53", "Bretagne");
    static readonly Region NouvelleAquitaine = new("75", "Nouvelle-Aquitaine");
    static readonly Region Occitanie = new("76", "Occitanie");
    static readonly Region AuvergneRhoneAlpes = new("84", "Auvergne-Rhône-Alpes");
    static readonly Region ProvenceAlpesCoteDAzur = new("93", "Provence-Alpes-Côte d'Azur");
    static readonly Region Corse = new("94", "Corse");

    /// <summary>The 18 regions, by INSEE code.</summary>
    public static IReadOnlyList<Region> Regions { get; } =
    [
        Guadeloupe, Martinique, Guyane, LaReunion, Mayotte, IleDeFrance, CentreValDeLoire, BourgogneFrancheComte, Normandie,
        HautsDeFrance, GrandEst, PaysDeLaLoire, Bretagne, NouvelleAquitaine, Occitanie, AuvergneRhoneAlpes, ProvenceAlpesCoteDAzur, Corse,
    ];

    /// <summary>The 101 départements, by INSEE code (2A and 2B between 19 and 21, as the COG sorts them).</summary>
    public static IReadOnlyList<Departement> Departements { get; } =
    [
        new("01", "Ain", AuvergneRhoneAlpes),
        new("02", "Aisne", HautsDeFrance),
        new("03", "Allier", AuvergneRhoneAlpes),
        new("04", "Alpes-de-Haute-Provence", ProvenceAlpesCoteDAzur),
        new("05", "Hautes-Alpes", ProvenceAlpesCoteDAzur),
        new("06", "Alpes-Maritimes", ProvenceAlpesCoteDAzur),
        new("07", "Ardèche", AuvergneRhoneAlpes),
        new("08", "Ardennes", GrandEst),
        new("09", "Ariège", Occitanie),
        new("10", "Aube", GrandEst),
        new("11", "Aude", Occitanie),
        new("12", "Aveyron", Occitanie),
        new("13", "Bouches-du-Rhône", ProvenceAlpesCoteDAzur),
        new("14", "Calvados", Normandie),
        new("15", "Cantal", AuvergneRhoneAlpes),
        new("16", "Charente", NouvelleAquitaine),
        new("17", "Charente-Maritime", NouvelleAquitaine),
        new("18", "Cher", CentreValDeLoire),
        new("19", "Corrèze", NouvelleAquitaine),
        new("2A", "Corse-du-Sud", Corse),
        new("2B", "Haute-Corse", Corse),
        new("21", "Côte-d'Or", BourgogneFrancheComte),
        new("22", "Côtes-d'Armor", Bretagne),
        new("23", "Creuse", NouvelleAquitaine),
        new("24", "Dordogne", NouvelleAquitaine),
        new("25", "Doubs", BourgogneFrancheComte),
        new("26", "Drôme", AuvergneRhoneAlpes),
        new("27", "Eure", Normandie),
        new("28", "Eure-et-Loir", CentreValDeLoire),
        new("29", "Finistère", Bretagne),
        new("30", "Gard", Occitanie),
        new("31", "Haute-Garonne", Occitanie),
        new("32", "Gers", Occitanie),
        new("33", "Gironde", NouvelleAquitaine),
        new("34", "Hérault", Occitanie),
        new("35", "Ille-et-Vilaine", Bretagne),
        new("36", "Indre", CentreValDeLoire),
        new("37", "Indre-et-Loire", CentreValDeLoire),
        new("38", "Isère", AuvergneRhoneAlpes),
        new("39", "Jura", BourgogneFrancheComte),
        new("40", "Landes", NouvelleAquitaine),
        new("41", "Loir-et-Cher", CentreValDeLoire),
        new("42", "Loire", AuvergneRhoneAlpes),
        new("43", "Haute-Loire", AuvergneRhoneAlpes),
        new("44", "Loire-Atlantique", PaysDeLaLoire),
        new("45", "Loiret", CentreValDeLoire),
        new("46", "Lot", Occitanie),
        new("47", "Lot-et-Garonne", NouvelleAquitaine),
        new("48", "Lozère", Occitanie),
        new("49", "Maine-et-Loire", PaysDeLaLoire),
        new("50", "Manche", Normandie),
        new("51", "Marne", GrandEst),
        new("52", "Haute-Marne", GrandEst),
        new("53", "Mayenne", PaysDeLaLoire),
        new("54", "Meurthe-et-Moselle", GrandEst),
        new("55", "Meuse", GrandEst),
        new("56", "Morbihan", Bretagne),
        new("57", "Moselle", GrandEst),
        new("58", "Nièvre", BourgogneFrancheComte),
        new("59", "Nord", HautsDeFrance),
        new("60", "Oise", HautsDeFrance),
        new("61", "Orne", Normandie),
        new("62", "Pas-de-Calais", HautsDeFrance),
        new("63", "Puy-de-Dôme", AuvergneRhoneAlpes),
        new("64", "Pyrénées-Atlantiques", NouvelleAquitaine),
        new("65", "Hautes-Pyrénées", Occitanie),
        new("66", "Pyrénées-Orientales", Occitanie),
        new("67", "Bas-Rhin", GrandEst),
        new("68", "Haut-Rhin", GrandEst),
        new("69", "Rhône", AuvergneRhoneAlpes),
        new("70", "Haute-Saône", BourgogneFrancheComte),
        new("71", "Saône-et-Loire", BourgogneFrancheComte),
        new("72", "Sarthe", PaysDeLaLoire),
        new("73", "Savoie", AuvergneRhoneAlpes),
        new("74", "Haute-Savoie", AuvergneRhoneAlpes),
        new("75", "Paris", IleDeFrance),
        new("76", "Seine-Maritime", Normandie),
        new("77", "Seine-et-Marne", IleDeFrance),
        new("78", "Yvelines", IleDeFrance),
        new("79", "Deux-Sèvres", NouvelleAquitaine),
        new("80", "Somme", HautsDeFrance),
        new("81", "Tarn", Occitanie),
        new("82", "Tarn-et-Garonne", Occitanie),
        new("83", "Var", ProvenceAlpesCoteDAzur),
        new("84", "Vaucluse", ProvenceAlpesCoteDAzur),
        new("85", "Vendée", PaysDeLaLoire),
        new("86", "Vienne", NouvelleAquitaine),
        new("87", "Haute-Vienne", NouvelleAquitaine),
        new("88", "Vosges", GrandEst),
        new("89", "Yonne", BourgogneFrancheComte),
        new("90", "Territoire de Belfort", BourgogneFrancheComte),
        new("91", "Essonne", IleDeFrance),
        new("92", "Hauts-de-Seine", IleDeFrance),
        new("93", "Seine-Saint-Denis", IleDeFrance),
        new("94", "Val-de-Marne", IleDeFrance),
        new("95", "Val-d'Oise", IleDeFrance),
        new("971", "Guadeloupe", Guadeloupe),
        new("972", "Martinique", Martinique),
        new("973", "Guyane", Guyane),
        new("974", "La Réunion", LaReunion),
        new("976", "Mayotte", Mayotte),
    ];

    static readonly Dictionary<string, Departement> ByCode = Departements.ToDictionary(d => d.Code, StringComparer.Ordinal);
    static readonly Dictionary<string, Region> RegionsByCode = Regions.ToDictionary(r => r.Code, StringComparer.Ordinal);
    static readonly ILookup<Region, Departement> ByRegion = Departements.ToLookup(d => d.Region);

    /// <summary>
    /// The département of a code as people write it: spaces around, 2a for 2A, and a single digit for
    /// 01…09 (a spreadsheet drops the leading zero of « 07 »); null for anything else (20, 975, 99, « Ardèche »).
    /// </summary>
    public static Departement? FindDepartement(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var text = code.Trim().ToUpperInvariant();
        if (text.Length == 1 && char.IsAsciiDigit(text[0])) text = "0" + text;
        return ByCode.GetValueOrDefault(text);
    }

    /// <summary>The region of an INSEE region code (« 84 », or « 1 » for 01); null when there is none.</summary>
    public static Region? FindRegion(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var text = code.Trim();
        if (text.Length == 1 && char.IsAsciiDigit(text[0])) text = "0" + text;
        return RegionsByCode.GetValueOrDefault(text);
    }

    /// <summary>The départements of a region, by code.</summary>
    public static IReadOnlyList<Departement> DepartementsOf(Region region) => ByRegion[region].ToList();

    /// <summary>The French message for a code that is no département (for the input that carries it).</summary>
    public const string UnknownDepartement =
        "n'est pas un code de département de l'INSEE (01 à 95, 2A, 2B, 971 à 974 ou 976 ; la Corse s'écrit 2A ou 2B, pas 20)";
}
