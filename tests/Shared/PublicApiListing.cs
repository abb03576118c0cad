using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Stasis.Actors.Tests.Shared;

/// <summary>
/// Lists an assembly's public surface, one line per type and member, and compares it with an approved file next to
/// the calling spec: the surface changes only on purpose. After an intended change, run the tests with
/// STASIS_APPROVE_API=1 to rewrite the approved file, and review its diff.
/// </summary>
internal static class PublicApiListing
{
    /// <summary>Asserts that <paramref name="assembly"/>'s listing equals <paramref name="approvedFile"/> (next to the caller).</summary>
    public static void AssertApproved(Assembly assembly, string approvedFile, [CallerFilePath] string caller = "")
    {
        var approvedPath = Path.Combine(Path.GetDirectoryName(caller)!, approvedFile);
        var actual = Describe(assembly);
        if (Environment.GetEnvironmentVariable("STASIS_APPROVE_API") == "1")
            File.WriteAllText(approvedPath, actual);
        Assert.True(File.Exists(approvedPath), $"No approved API listing at {approvedPath}; run with STASIS_APPROVE_API=1.");
        Assert.Equal(File.ReadAllText(approvedPath).ReplaceLineEndings("\n"), actual);
    }

    private static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Kind(type)).Append(' ').Append(Name(type));
            if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) && !type.IsEnum)
                text.Append(" : ").Append(Name(b));
            text.Append('\n');
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Where(m => !m.IsDefined(typeof(CompilerGeneratedAttribute)))
                .Select(Member)
                .Order(StringComparer.Ordinal);
            foreach (var member in members)
                text.Append("    ").Append(member).Append('\n');
        }
        return text.ToString();
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" :
        typeof(Delegate).IsAssignableFrom(type) ? "delegate" :
        type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class";

    private static string Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}{(m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(Name)) + ">" : "")}({Parameters(m)})",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : "")}{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? "set; " : "")}}}",
        FieldInfo f => $"{(f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type t => $"nested {Name(t)}",
        _ => member.ToString() ?? "",
    };

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
            return type.Name;
        if (type.IsArray)
            return Name(type.GetElementType()!) + "[]";
        if (type.IsByRef)
            return "ref " + Name(type.GetElementType()!);
        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.FullName ?? type.Name;
        if (!type.IsGenericType)
            return name;
        var tick = name.IndexOf('`');
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
