using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace CareerPath.Server.Web;

/// <summary>The decision letter as an editable Word file (Office Open XML): the same <see cref="DecisionLetter"/> the printable page shows.</summary>
public static class DecisionLetterDocx
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public static byte[] Write(DecisionLetter letter)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            var body = new Body();
            foreach (var line in letter.Sender) body.Append(Para(line, bold: line == letter.Sender[0]));
            body.Append(Para(""));
            foreach (var line in letter.Recipient) body.Append(Para(line, align: JustificationValues.Right));
            body.Append(Para(letter.DateLine, align: JustificationValues.Right));
            body.Append(Para(""));
            body.Append(Para(letter.Subject, bold: true));
            body.Append(Para(""));
            foreach (var paragraph in letter.Body) body.Append(Para(paragraph));
            body.Append(Heading("Mentions"));
            foreach (var mention in letter.Mentions.Prepend(letter.Regime))
            {
                body.Append(Para(mention.Title, bold: true));
                body.Append(Para(mention.Text));
                body.Append(Para("Source : " + mention.Source, italic: true, size: 18));
                if (mention.Interpretation is { } why) body.Append(Para("Interprétation de CareerPath : " + why, italic: true, size: 18));
            }
            body.Append(Para(""));
            body.Append(Para("Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."));
            body.Append(Para(""));
            foreach (var line in letter.Signature) body.Append(Para(line, align: JustificationValues.Right));
            body.Append(new SectionProperties(
                new PageSize { Width = 11906U, Height = 16838U },
                new PageMargin { Top = 1134, Bottom = 1134, Left = 1134U, Right = 1134U, Header = 567U, Footer = 567U, Gutter = 0U }));
            main.Document = new Document(body);
            doc.PackageProperties.Title = letter.Subject;
            doc.PackageProperties.Language = "fr-FR";
        }
        return stream.ToArray();
    }

    static Paragraph Heading(string text) => new(
        new ParagraphProperties(new SpacingBetweenLines { Before = "240", After = "120" }),
        new Run(new RunProperties(new Bold(), new FontSize { Val = "26" }), new Text(text)));

    static Paragraph Para(string text, bool bold = false, bool italic = false, int size = 22, JustificationValues? align = null)
    {
        var props = new RunProperties(new RunFonts { Ascii = "Arial", HighAnsi = "Arial" });
        if (bold) props.Append(new Bold());
        if (italic) props.Append(new Italic());
        props.Append(new FontSize { Val = size.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var paragraph = new Paragraph(new ParagraphProperties(new SpacingBetweenLines { After = "80" }));
        if (align is { } a) paragraph.ParagraphProperties!.Append(new Justification { Val = a });
        paragraph.Append(new Run(props, new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        return paragraph;
    }
}
