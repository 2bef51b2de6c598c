using System.Text.Json;
using Npgsql;
using SmartRegion.Pipelines.Commands;
using SmartRegion.Testing;

namespace SmartRegion.Pipelines.Tests;

/// <summary><c>audit verify</c>: a whole trail passes with each chain's head printed; an edited entry fails the command, named.</summary>
public sealed class AuditCommandsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Exit, List<JsonElement> Documents)> AuditAsync(string connectionString, params string[] args)
    {
        var output = new StringWriter();
        var exit = await AuditCommands.RunAsync(args, connectionString, output, Ct);
        var documents = new List<JsonElement>();
        var reader = new Utf8JsonReaderSequence(output.ToString());
        foreach (var d in reader.Documents())
        {
            documents.Add(d);
        }
        return (exit, documents);
    }

    [Fact]
    public async Task Verify_WholeTrail_0WithHeads_EditedEntry_1NamingIt()
    {
        var db = new TestDatabase();
        await db.InitializeAsync();
        try
        {
            var cs = db.ConnectionString;
            var admin = new StringWriter();
            await AdminCommands.RunAsync(["create-org", "--slug", "ville-audit", "--name", "Ville", "--kind", "public_agency"], cs, new StringReader(""), admin, Ct);
            await AdminCommands.RunAsync(["create-user", "--email", "ana@example.org", "--name", "Ana", "--org", "ville-audit", "--role", "admin"], cs,
                new StringReader(""), admin, Ct);
            await AdminCommands.RunAsync(["create-key", "--email", "ana@example.org", "--org", "ville-audit", "--name", "etl"], cs, new StringReader(""), admin, Ct);

            var (exit, chains) = await AuditAsync(cs, "verify");
            Assert.Equal(0, exit);
            var chain = Assert.Single(chains);
            Assert.Equal("ville-audit", chain.GetProperty("organisation").GetString());
            Assert.Equal(2, chain.GetProperty("entries").GetInt64());
            Assert.Matches("^[0-9a-f]{64}$", chain.GetProperty("head").GetString());

            await using (var connection = new NpgsqlConnection(cs))
            {
                await connection.OpenAsync(Ct);
                await using var cmd = new NpgsqlCommand("""
                    ALTER TABLE catalog.audit_log DISABLE TRIGGER USER;
                    UPDATE catalog.audit_log SET details = replace(details, 'etl', 'ETL') WHERE seq = 2;
                    ALTER TABLE catalog.audit_log ENABLE TRIGGER USER;
                    """, connection);
                await cmd.ExecuteNonQueryAsync(Ct);
            }
            (exit, chains) = await AuditAsync(cs, "verify", "--org", "ville-audit");
            Assert.Equal(1, exit);
            Assert.Equal(2, chains[0].GetProperty("brokenAtSeq").GetInt64());
            Assert.False(chains[0].GetProperty("ok").GetBoolean());
        }
        finally
        {
            await db.DisposeAsync();
        }
    }

    /// <summary>Splits the CLI's output (one indented JSON document after another) into its documents.</summary>
    private sealed class Utf8JsonReaderSequence(string text)
    {
        public List<JsonElement> Documents()
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            var documents = new List<JsonElement>();
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read())
            {
                using var doc = JsonDocument.ParseValue(ref reader);
                documents.Add(doc.RootElement.Clone());
            }
            return documents;
        }
    }
}
