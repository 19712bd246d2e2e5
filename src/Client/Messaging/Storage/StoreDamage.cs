namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// What a damaged database still holds, as far as SQLite can read it: the count of rows each table gives before an
/// error, or null for a table that cannot be read at all. A copy of the file is the way to recover: the rows counted
/// here can be read from it (the sqlite3 shell's <c>.recover</c> command reads what is left).
/// </summary>
/// <param name="ProblemsFound">The lines SQLite's integrity check reported (0 when the file could not be read as a database at all).</param>
/// <param name="FileBytes">The size of the file.</param>
/// <param name="Contacts">Contact rows readable, or null.</param>
/// <param name="Messages">Message rows readable (history and outbox), or null.</param>
/// <param name="Conversations">Conversation counter rows readable, or null.</param>
public sealed record StoreDamage(int ProblemsFound, long FileBytes, long? Contacts, long? Messages, long? Conversations);
