using System.Text.Json;
using System.Text.Json.Serialization;

namespace CareerPath.Server.Api;

/// <summary>
/// Enums in request bodies by name only (any case). The framework's JsonStringEnumConverter also
/// takes "A, B" as a flags combination, even for enums that are not flags: "Cdi, Pec" would become
/// a third contract type. Here anything but one declared name is refused.
/// </summary>
public sealed class StrictEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(ByName<>).MakeGenericType(typeToConvert))!;

    sealed class ByName<T> : JsonConverter<T> where T : struct, Enum
    {
        static readonly string[] Names = Enum.GetNames<T>();

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException($"Expected one of {string.Join(", ", Names)}.");
            var text = reader.GetString();
            var name = Names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
                ?? throw new JsonException($"Expected one of {string.Join(", ", Names)}.");
            return Enum.Parse<T>(name);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
