using Collector.Core.Errors;

namespace Collector.Workstation.Sticks;

/// <summary>The stick a desk command works on (stick init, stick clear): its root folder, given as DIR.</summary>
public static class StickRoot
{
    /// <summary>The full path of <paramref name="directory"/>, which must be an existing folder (exit 2 otherwise).</summary>
    public static string Checked(string directory)
    {
        if (File.Exists(directory))
        {
            throw new InvalidInputException($"{directory} is a file; give the stick's root folder");
        }

        return Directory.Exists(directory)
            ? Path.GetFullPath(directory)
            : throw new InvalidInputException($"{directory} does not exist: plug the stick in and give its root folder");
    }
}
