/// How a pre-tokenizer's split treats the stretches its pattern matches (tokenizers' `SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable, Equatable {
    /// Matches dropped.
    case removed = "Removed"
    /// Each match a piece of its own.
    case isolated = "Isolated"
    /// A match joined to the piece before it.
    case mergedWithPrevious = "MergedWithPrevious"
    /// A match joined to the piece after it.
    case mergedWithNext = "MergedWithNext"
    /// Adjacent matches joined into one piece.
    case contiguous = "Contiguous"

    /// The pieces of a text of `count` scalars cut at `matches` (ascending, not overlapping); `invert` swaps what
    /// counts as a match and what lies between. Empty pieces are dropped.
    func pieces(count: Int, matches: [Range<Int>], invert: Bool = false) -> [Range<Int>] {
        var spans = [(range: Range<Int>, isMatch: Bool)]()
        var last = 0
        for match in matches {
            if last < match.lowerBound { spans.append((last..<match.lowerBound, invert)) }
            spans.append((match, !invert))
            last = match.upperBound
        }
        if last < count { spans.append((last..<count, invert)) }

        var out = [Range<Int>]()
        switch self {
        case .removed:
            out = spans.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            out = spans.map(\.range)
        case .mergedWithPrevious:
            var previousMatch = false
            for span in spans {
                if span.isMatch && !previousMatch, let previous = out.last {
                    out[out.count - 1] = previous.lowerBound..<span.range.upperBound
                } else {
                    out.append(span.range)
                }
                previousMatch = span.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for span in spans.reversed() {
                if span.isMatch && !previousMatch, let following = out.last {
                    out[out.count - 1] = span.range.lowerBound..<following.upperBound
                } else {
                    out.append(span.range)
                }
                previousMatch = span.isMatch
            }
            out.reverse()
        case .contiguous:
            var previousMatch = false
            for span in spans {
                if span.isMatch == previousMatch, let previous = out.last {
                    out[out.count - 1] = previous.lowerBound..<span.range.upperBound
                } else {
                    out.append(span.range)
                }
                previousMatch = span.isMatch
            }
        }
        return out.filter { !$0.isEmpty }
    }
}
