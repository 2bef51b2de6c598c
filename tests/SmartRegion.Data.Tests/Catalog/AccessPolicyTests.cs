using SmartRegion.Data.Catalog;

namespace SmartRegion.Data.Tests.Catalog;

public sealed class AccessPolicyTests
{
    private const long Owner = 1, Grantee = 2, Other = 3;

    private static Caller Member(long org, string role) =>
        new(10, null, false, new Dictionary<long, string> { [org] = role }, new HashSet<string> { "read" });

    [Theory]
    [InlineData("public", AccessLevel.Read)]
    [InlineData("restricted", AccessLevel.None)]
    [InlineData("private", AccessLevel.None)]
    public void Decide_Anonymous_SeesOnlyPublic(string visibility, AccessLevel expected) =>
        Assert.Equal(expected, AccessPolicy.Decide(Caller.Anonymous, visibility, Owner, []).Level);

    [Theory]
    [InlineData("viewer", AccessLevel.Member)]
    [InlineData("editor", AccessLevel.Edit)]
    [InlineData("admin", AccessLevel.Admin)]
    public void Decide_OwnerRoles_MapToLevelsOnPrivate(string role, AccessLevel expected) =>
        Assert.Equal(expected, AccessPolicy.Decide(Member(Owner, role), "private", Owner, []).Level);

    [Fact]
    public void Decide_GranteeOnPrivate_SeesNothing()
    {
        var grants = new[] { new ActiveGrant(1, Grantee, null, null) };
        Assert.Equal(AccessLevel.None, AccessPolicy.Decide(Member(Grantee, "admin"), "private", Owner, grants).Level);
    }

    [Fact]
    public void Decide_TwoGrantsOnRestricted_UnionOfFieldsAndFilters()
    {
        var grants = new[]
        {
            new ActiveGrant(1, Grantee, ["a"], new Dictionary<string, string> { ["commune"] = "93066" }),
            new ActiveGrant(2, Grantee, ["b"], new Dictionary<string, string> { ["commune"] = "93001" }),
            new ActiveGrant(3, Other, null, null),
        };
        var access = AccessPolicy.Decide(Member(Grantee, "viewer"), "restricted", Owner, grants);
        Assert.Equal(AccessLevel.Read, access.Level);
        Assert.Equal(new HashSet<string> { "a", "b" }, access.Fields);
        Assert.Equal(2, access.RowFilters!.Count);
    }

    [Fact]
    public void Decide_GrantWithEmptyFieldsOrFilter_AdmitsNothing_NeverEverything()
    {
        var grants = new[]
        {
            new ActiveGrant(1, Grantee, [], null),
            new ActiveGrant(2, Grantee, null, new Dictionary<string, string>()),
        };
        var access = AccessPolicy.Decide(Member(Grantee, "viewer"), "restricted", Owner, grants);
        Assert.Empty(access.Grants!);
        Assert.Empty(access.Fields!);
        Assert.Empty(access.RowFilters!);
    }

    [Fact]
    public void Decide_GrantsKeepTheirOwnFieldsWithTheirOwnRows()
    {
        var sd = new Dictionary<string, string> { ["commune"] = "93066" };
        var grants = new[] { new ActiveGrant(1, Grantee, ["a"], sd), new ActiveGrant(2, Grantee, ["b"], null) };
        var access = AccessPolicy.Decide(Member(Grantee, "viewer"), "restricted", Owner, grants);
        Assert.Equal(2, access.Grants!.Count);
        Assert.Equal(new HashSet<string> { "a" }, access.Grants[0].Fields);
        Assert.Same(sd, access.Grants[0].RowFilter);
        Assert.Null(access.Grants[1].RowFilter);
        Assert.Null(access.RowFilters);
    }

    [Fact]
    public void Decide_PlatformAdmin_AdministersPrivate() =>
        Assert.Equal(AccessLevel.Admin, AccessPolicy.Decide(Caller.Anonymous with { UserId = 5, IsPlatformAdmin = true }, "private", Owner, []).Level);
}
