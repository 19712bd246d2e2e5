using System.Text;

namespace HiddenPoint.Protocol.Documents;

/// <summary>How often a keyword may appear where it is allowed.</summary>
internal enum Occurrence
{
    /// <summary>Exactly once.</summary>
    Required,

    /// <summary>At most once.</summary>
    Optional,

    /// <summary>At least once, at most the rule's maximum, consecutively.</summary>
    Repeated,
}

/// <summary>One keyword's rule: where it sits in the fixed order, how often, and how many arguments it takes.</summary>
internal sealed class KeywordRule
{
    public KeywordRule(string keyword, Occurrence occurrence, int minArguments, int maxArguments, int maxCount = 1)
    {
        Keyword = keyword;
        Utf8 = Encoding.ASCII.GetBytes(keyword);
        Occurrence = occurrence;
        MinArguments = minArguments;
        MaxArguments = maxArguments;
        MaxCount = occurrence == Occurrence.Repeated ? maxCount : 1;
    }

    public string Keyword { get; }

    public byte[] Utf8 { get; }

    public Occurrence Occurrence { get; }

    public int MinArguments { get; }

    public int MaxArguments { get; }

    public int MaxCount { get; }
}

/// <summary>
/// A document's keyword table, in the only order the keywords may appear. An optional group of consecutive rules
/// (a vote's or consensus's relay entry) may repeat as a whole, zero or more times; each repetition starts with
/// the group's first keyword and its rules apply afresh.
/// </summary>
internal sealed class KeywordRules
{
    private readonly KeywordRule[] _rules;

    public KeywordRules(KeywordRule[] rules, int groupStart = -1, int groupEnd = -1)
    {
        _rules = rules;
        GroupStart = groupStart;
        GroupEnd = groupEnd;
    }

    public int Count => _rules.Length;

    public int GroupStart { get; }

    public int GroupEnd { get; }

    public KeywordRule this[int index] => _rules[index];

    public int IndexOf(ReadOnlySpan<byte> keyword)
    {
        for (var i = 0; i < _rules.Length; i++)
        {
            if (keyword.SequenceEqual(_rules[i].Utf8))
            {
                return i;
            }
        }

        return -1;
    }

    public bool InGroup(int index) => GroupStart >= 0 && index >= GroupStart && index <= GroupEnd;
}

/// <summary>
/// Tracks where a parser is in a <see cref="KeywordRules"/> table and enforces it: order, counts, required
/// keywords. Keeps one count per rule, reused across group repetitions, so a document of any length costs one
/// small array.
/// </summary>
internal sealed class KeywordCursor
{
    private readonly KeywordRules _rules;
    private readonly int[] _counts;
    private int _current = -1;

    public KeywordCursor(KeywordRules rules)
    {
        _rules = rules;
        _counts = new int[rules.Count];
    }

    /// <summary>
    /// Accepts a line whose keyword is rule <paramref name="index"/>, with <paramref name="argumentCount"/> arguments.
    /// On refusal, <paramref name="errorKeyword"/> is the keyword to report (the missing one for
    /// <see cref="DocumentErrorKind.MissingKeyword"/>).
    /// </summary>
    public bool TryAdvance(int index, int argumentCount, out DocumentErrorKind error, out string errorKeyword)
    {
        var rule = _rules[index];
        errorKeyword = rule.Keyword;
        if (index == _current)
        {
            if (index == _rules.GroupStart)
            {
                if (!TryFinishGroup(out error, out errorKeyword))
                {
                    return false;
                }

                StartGroup();
            }
            else if (rule.Occurrence != Occurrence.Repeated)
            {
                error = DocumentErrorKind.DuplicateKeyword;
                return false;
            }
            else if (_counts[index] >= rule.MaxCount)
            {
                error = DocumentErrorKind.TooManyItems;
                return false;
            }
            else
            {
                _counts[index]++;
            }
        }
        else if (index > _current)
        {
            if (!TryCheckSkipped(_current + 1, index, out error, out errorKeyword))
            {
                return false;
            }

            if (index == _rules.GroupStart)
            {
                StartGroup();
            }
            else
            {
                _counts[index]++;
            }

            _current = index;
        }
        else if (index == _rules.GroupStart && _rules.InGroup(_current))
        {
            if (!TryFinishGroup(out error, out errorKeyword))
            {
                return false;
            }

            StartGroup();
            _current = index;
        }
        else
        {
            // Inside a group, a keyword counts as repeated only within the same repetition.
            var seen = _counts[index] > 0 && (!_rules.InGroup(index) || _rules.InGroup(_current));
            error = seen && rule.Occurrence != Occurrence.Repeated
                ? DocumentErrorKind.DuplicateKeyword
                : DocumentErrorKind.KeywordOutOfOrder;
            return false;
        }

        errorKeyword = rule.Keyword;
        if (argumentCount < rule.MinArguments || argumentCount > rule.MaxArguments)
        {
            error = DocumentErrorKind.WrongArgumentCount;
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>At the end of the document: every required keyword after the last one seen must have appeared.</summary>
    public bool TryFinish(out DocumentErrorKind error, out string errorKeyword) =>
        TryCheckSkipped(_current + 1, _rules.Count, out error, out errorKeyword);

    private void StartGroup()
    {
        for (var i = _rules.GroupStart; i <= _rules.GroupEnd; i++)
        {
            _counts[i] = 0;
        }

        _counts[_rules.GroupStart] = 1;
    }

    private bool TryFinishGroup(out DocumentErrorKind error, out string errorKeyword) =>
        TryCheckSkipped(_current + 1, _rules.GroupEnd + 1, out error, out errorKeyword);

    // Rules in [from, to) are passed over: each required one must already have a count, except that a group never
    // entered is skipped whole (it repeats zero or more times).
    private bool TryCheckSkipped(int from, int to, out DocumentErrorKind error, out string errorKeyword)
    {
        for (var i = from; i < to; i++)
        {
            if (i == _rules.GroupStart && !_rules.InGroup(_current))
            {
                if (to <= _rules.GroupEnd)
                {
                    // Entering the group at a later keyword: its first keyword is missing.
                    error = DocumentErrorKind.MissingKeyword;
                    errorKeyword = _rules[i].Keyword;
                    return false;
                }

                i = _rules.GroupEnd;
                continue;
            }

            if (_rules[i].Occurrence != Occurrence.Optional && _counts[i] == 0)
            {
                error = DocumentErrorKind.MissingKeyword;
                errorKeyword = _rules[i].Keyword;
                return false;
            }
        }

        error = default;
        errorKeyword = string.Empty;
        return true;
    }
}
