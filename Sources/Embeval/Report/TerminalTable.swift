/// Text layout for results on a terminal, in the style of the seed's output (rich's boxes and heavy-header tables).
public enum TerminalTable {
    /// A rounded box around one line: the run's title.
    public static func title(_ text: String) -> String {
        let width = text.count + 2
        return "╭" + String(repeating: "─", count: width) + "╮\n"
            + "│ " + text + " │\n"
            + "╰" + String(repeating: "─", count: width) + "╯"
    }

    /// `Key:   value` lines with the values aligned.
    public static func fields(_ pairs: [(String, String)]) -> String {
        let width = (pairs.map { $0.0.count }.max() ?? 0) + 2
        return pairs.map { key, value in
            (key + ":").padding(toLength: width, withPad: " ", startingAt: 0) + value
        }.joined(separator: "\n")
    }

    public enum Alignment { case left, right }

    /// A table with a heavy header rule; `alignments` defaults to left for the first column, right for the rest.
    public static func table(header: [String], rows: [[String]], alignments: [Alignment]? = nil) -> String {
        let align = alignments ?? header.indices.map { $0 == 0 ? .left : .right }
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func cell(_ text: String, _ c: Int) -> String {
            let pad = String(repeating: " ", count: widths[c] - text.count)
            return " " + (align[c] == .left ? text + pad : pad + text) + " "
        }
        func rule(_ l: String, _ m: String, _ r: String, _ h: String) -> String {
            l + widths.map { String(repeating: h, count: $0 + 2) }.joined(separator: m) + r
        }
        var lines = [rule("┏", "┳", "┓", "━")]
        lines.append("┃" + header.indices.map { cell(header[$0], $0) }.joined(separator: "┃") + "┃")
        lines.append(rule("┡", "╇", "┩", "━"))
        for row in rows { lines.append("│" + row.indices.map { cell(row[$0], $0) }.joined(separator: "│") + "│") }
        lines.append(rule("└", "┴", "┘", "─"))
        return lines.joined(separator: "\n")
    }
}
