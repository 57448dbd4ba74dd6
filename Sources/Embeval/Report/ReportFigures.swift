import Foundation

/// The figures of an evaluation page as inline SVG: every label escaped; each mark's numbers in its `<title>` (a
/// browser's own tooltip, without script) and in `data-tip` (the page's tooltip, `ReportPage`).
enum ReportFigures {
    /// Classes a figure shows at most (the rest are summarised in a note under it).
    static let classLimit = 60

    /// A row-normalised confusion heat map of `classes` (in that order): cell shade = share of the true class's
    /// samples predicted as the column's class; each cell's tip gives the counts.
    static func confusionHeatMap(_ matrix: ConfusionMatrix, classes: [Int], names: [String]) -> String {
        heatMap(rows: classes.map { names[$0] }, columns: classes.map { names[$0] }, label: "confusion matrix",
                count: { matrix[classes[$0], classes[$1]] }, rowTotal: { matrix.support(classes[$0]) },
                highlighted: { $0 == $1 },
                tip: { r, c, count, total in "\(names[classes[r]]) → \(names[classes[c]]): \(count) of \(total)" })
    }

    /// A row-normalised heat map: cell shade = the cell's share of its row's total (highlighted cells in blue on a
    /// linear scale, the others in red on a square-root scale, so that a 5 % share stays visible); `tip` names a
    /// cell (its share is appended).
    static func heatMap(rows: [String], columns: [String], label ariaLabel: String, count: (Int, Int) -> Int, rowTotal: (Int) -> Int,
                        highlighted: (Int, Int) -> Bool, tip text: (Int, Int, Int, Int) -> String) -> String {
        let n = max(rows.count, columns.count)
        // Room above for the rotated column names: about 5.6 px a character at 11 px, tilted 60°.
        let longest = columns.map { short($0).count }.max() ?? 0
        let cell = max(6, min(28, 560 / max(n, 1))), label = 150, top = 24 + Int(Double(longest) * 5.6)
        var out = "<svg class=\"figure heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(label + columns.count * cell + 10 + longest * 3)\" height=\"\(top + rows.count * cell + 10)\" role=\"img\" aria-label=\"\(htmlEscaped(ariaLabel))\">"
        for (r, name) in rows.enumerated() {
            let y = top + r * cell
            out += "<text x=\"\(label - 4)\" y=\(quoted(y + cell / 2 + 4)) text-anchor=\"end\" font-size=\"11\">\(htmlEscaped(short(name)))</text>"
            let total = rowTotal(r)
            for c in columns.indices {
                let value = count(r, c)
                let share = total > 0 ? Double(value) / Double(total) : 0
                let blue = highlighted(r, c)
                let shade = Int((255 * (1 - (blue ? share : share.squareRoot()))).rounded())
                let fill = blue ? "rgb(\(shade),\(min(255, shade + 40)),255)" : "rgb(255,\(shade),\(shade))"
                out += "<rect x=\(quoted(label + c * cell)) y=\(quoted(y)) width=\(quoted(cell)) height=\(quoted(cell)) fill=\"\(value == 0 ? "#fafafa" : fill)\" stroke=\"#eee\""
                out += tip(text(r, c, value, total) + " (\(String(format: "%.1f", 100 * share)) %)") + "</rect>"
            }
        }
        for (c, name) in columns.enumerated() {
            let x = label + c * cell + cell / 2 + 4
            out += "<text transform=\"translate(\(x),\(top - 4)) rotate(-60)\" font-size=\"11\">\(htmlEscaped(short(name)))</text>"
        }
        return out + "</svg>"
    }

    /// Horizontal bars of per-class recall with their 95 % intervals, `classes` in the order given.
    static func recallBars(_ matrix: ConfusionMatrix, classes: [Int], names: [String]) -> String {
        let label = 150, width = 400, row = 16
        var out = "<svg class=\"figure recall\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(label + width + 70)\" height=\"\(classes.count * row + 24)\" role=\"img\" aria-label=\"per-class recall\">"
        for (i, c) in classes.enumerated() {
            guard let r = matrix.recall(c) else { continue }
            let y = 4 + i * row
            out += "<text x=\"\(label - 4)\" y=\(quoted(y + 11)) text-anchor=\"end\" font-size=\"11\">\(htmlEscaped(short(names[c])))</text>"
            out += "<rect x=\(quoted(label)) y=\(quoted(y + 2)) width=\(quoted(Int((Double(width) * r.value).rounded()))) height=\"10\" fill=\"#4a7fb5\""
            out += tip("\(names[c]): recall \(String(format: "%.2f", 100 * r.value)) % of \(matrix.support(c)) (95 % interval \(String(format: "%.1f–%.1f", 100 * r.low, 100 * r.high)))") + "</rect>"
            let lo = label + Int((Double(width) * r.low).rounded()), hi = label + Int((Double(width) * r.high).rounded())
            out += "<line x1=\(quoted(lo)) x2=\(quoted(hi)) y1=\(quoted(y + 7)) y2=\(quoted(y + 7)) stroke=\"#111\" stroke-width=\"1.5\"/>"
            out += "<text x=\(quoted(label + width + 6)) y=\(quoted(y + 11)) font-size=\"11\">\(String(format: "%.1f", 100 * r.value))</text>"
        }
        let axis = 4 + classes.count * row + 14
        for tick in stride(from: 0, through: 100, by: 25) {
            out += "<text x=\(quoted(label + width * tick / 100)) y=\(quoted(axis)) text-anchor=\"middle\" font-size=\"10\" fill=\"#666\">\(tick)</text>"
        }
        return out + "</svg>"
    }

    /// Top-1 accuracy against k, one line per series (pooling), k on an even spacing of the values evaluated.
    static func accuracyAgainstK(_ series: [(name: String, points: [(k: Int, accuracy: Double)])]) -> String {
        lineChart(series.map { ($0.name, $0.points.map { (Double($0.k), "k=\($0.k)", "k=\($0.k)", $0.accuracy) }) }, what: "accuracy against k", unit: "%")
    }

    /// Lines of y against x, one per series; the x values evaluated sit on an even spacing (k = 5, 10, 20; C on
    /// its log grid). A point's `tick` labels the axis (empty: no label, as between decades); its title gives
    /// `label` and the value.
    static func lineChart(_ series: [(name: String, points: [(x: Double, tick: String, label: String, y: Double)])], what: String, unit: String) -> String {
        let xs = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        let values = series.flatMap { $0.points.map(\.y) }
        guard let low = values.min(), let high = values.max(), !xs.isEmpty else { return "" }
        let bottom = max(0, (low - 2).rounded(.down)), top = min(100, (high + 2).rounded(.up))
        let width = 480, height = 240, left = 50, margin = 30
        let ticks = Dictionary(series.flatMap { $0.points.map { ($0.x, $0.tick) } }, uniquingKeysWith: { first, _ in first })
        func x(_ v: Double) -> Int { left + (xs.count == 1 ? width / 2 : (xs.firstIndex(of: v) ?? 0) * width / (xs.count - 1)) }
        func y(_ a: Double) -> Int { margin + Int(((top - a) / max(top - bottom, 1e-9) * Double(height)).rounded()) }
        var out = "<svg class=\"figure kcurve\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(left + width + 170)\" height=\"\(height + 2 * margin + 20)\" role=\"img\" aria-label=\"\(htmlEscaped(what))\">"
        out += "<line x1=\(quoted(left)) x2=\(quoted(left + width)) y1=\(quoted(margin + height)) y2=\(quoted(margin + height)) stroke=\"#999\"/>"
        for v in xs {
            guard let tick = ticks[v], !tick.isEmpty else { continue }
            out += "<text x=\(quoted(x(v))) y=\(quoted(margin + height + 16)) text-anchor=\"middle\" font-size=\"11\">\(htmlEscaped(tick))</text>"
        }
        for a in [bottom, (bottom + top) / 2, top] {
            out += "<text x=\(quoted(left - 6)) y=\(quoted(y(a) + 4)) text-anchor=\"end\" font-size=\"11\">\(String(format: "%.1f", a))</text>"
        }
        let colors = Palette.colors(max(series.count, 1))
        for (s, line) in series.enumerated() {
            let color = colors[s].hex
            let points = line.points.sorted { $0.x < $1.x }
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"" + points.map { "\(x($0.x)),\(y($0.y))" }.joined(separator: " ") + "\"/>"
            for p in points {
                out += "<circle cx=\(quoted(x(p.x))) cy=\(quoted(y(p.y))) r=\"4\" fill=\"\(color)\"" + tip("\(line.name), \(p.label): \(String(format: "%.2f", p.y)) \(unit)") + "</circle>"
            }
            out += "<text x=\(quoted(left + width + 12)) y=\(quoted(margin + 14 + s * 16)) font-size=\"12\" fill=\"\(color)\">\(htmlEscaped(short(line.name)))</text>"
        }
        return out + "</svg>"
    }

    static func quoted(_ v: Int) -> String { "\"\(v)\"" }

    /// Closes a mark's start tag with its tooltip: ` data-tip="…">` and the `<title>` child.
    static func tip(_ text: String) -> String {
        let escaped = htmlEscaped(text)
        return " data-tip=\"\(escaped)\"><title>\(escaped)</title>"
    }

    /// A class name shortened for an axis (the full name is in the title).
    static func short(_ name: String) -> String { name.count > 22 ? String(name.prefix(21)) + "…" : name }

    /// A forest plot: per row a delta with its 95 % interval, against the ±`tolerance` band (shaded) and zero; the
    /// dot is coloured by the row's verdict. Each row's title gives the numbers.
    static func forestPlot(_ rows: [(label: String, delta: Double, low: Double, high: Double, verdict: Verdict, tolerance: Double)]) -> String {
        guard !rows.isEmpty else { return "" }
        let label = 260, width = 420, row = 26, margin = 24
        let largest = rows.map { max(abs($0.low), abs($0.high), abs($0.delta), $0.tolerance * 1.5) }.max() ?? 1
        let reach = largest.isFinite ? min(max(largest, 1e-9), 1e12) : 1e12
        // Values past the axis (or not numbers) are drawn at its edge: never an Int of inf or NaN.
        func x(_ v: Double) -> Int {
            let clamped = v.isNaN ? 0 : min(max(v, -reach), reach)
            return label + Int(((clamped + reach) / (2 * reach) * Double(width)).rounded())
        }
        let height = rows.count * row + 2 * margin
        var out = "<svg class=\"figure forest\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(label + width + 80)\" height=\"\(height)\" role=\"img\" aria-label=\"deltas against the tolerance\">"
        // The band: one tolerance per unit; a plot of mixed units draws each row's own band.
        for (i, r) in rows.enumerated() {
            let y = margin + i * row
            out += "<rect x=\(quoted(x(-r.tolerance))) y=\(quoted(y)) width=\(quoted(x(r.tolerance) - x(-r.tolerance))) height=\(quoted(row)) fill=\"#e6f2e6\"/>"
        }
        out += "<line x1=\(quoted(x(0))) x2=\(quoted(x(0))) y1=\(quoted(margin - 6)) y2=\(quoted(height - margin + 6)) stroke=\"#888\" stroke-dasharray=\"3,3\"/>"
        for (i, r) in rows.enumerated() {
            let y = margin + i * row + row / 2
            let color = ReportPage.color(of: r.verdict)
            out += "<text x=\"\(label - 8)\" y=\(quoted(y + 4)) text-anchor=\"end\" font-size=\"12\">\(htmlEscaped(r.label))</text>"
            out += "<line x1=\(quoted(x(r.low))) x2=\(quoted(x(r.high))) y1=\(quoted(y)) y2=\(quoted(y)) stroke=\"#222\" stroke-width=\"2\"/>"
            out += "<circle cx=\(quoted(x(r.delta))) cy=\(quoted(y)) r=\"5\" fill=\"\(color)\""
                + tip("\(r.label): delta \(String(format: "%+.4g", r.delta)), 95 % CI [\(String(format: "%+.4g", r.low)), \(String(format: "%+.4g", r.high))], tolerance ±\(String(format: "%.4g", r.tolerance)): \(r.verdict.rawValue)") + "</circle>"
            out += "<text x=\(quoted(label + width + 8)) y=\(quoted(y + 4)) font-size=\"12\" fill=\"\(color)\">\(r.verdict.rawValue)</text>"
        }
        return out + "</svg>"
    }

    /// Diverging bars of per-class deltas (candidate − baseline recall, points), in the order given.
    static func deltaBars(_ rows: [(label: String, delta: Double, samples: Int)]) -> String {
        guard !rows.isEmpty else { return "" }
        let label = 150, half = 200, row = 16
        let reach = max(rows.map { abs($0.delta) }.max() ?? 1, 1)
        var out = "<svg class=\"figure deltas\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(label + 2 * half + 70)\" height=\"\(rows.count * row + 8)\" role=\"img\" aria-label=\"per-class deltas\">"
        out += "<line x1=\(quoted(label + half)) x2=\(quoted(label + half)) y1=\"0\" y2=\(quoted(rows.count * row + 8)) stroke=\"#888\"/>"
        for (i, r) in rows.enumerated() {
            let y = 4 + i * row, length = Int((abs(r.delta) / reach * Double(half)).rounded())
            let x = r.delta < 0 ? label + half - length : label + half
            out += "<text x=\"\(label - 4)\" y=\(quoted(y + 11)) text-anchor=\"end\" font-size=\"11\">\(htmlEscaped(short(r.label)))</text>"
            out += "<rect x=\(quoted(x)) y=\(quoted(y + 2)) width=\(quoted(max(length, 1))) height=\"10\" fill=\"\(r.delta < 0 ? "#c62828" : "#2e7d32")\""
                + tip("\(r.label): \(String(format: "%+.2f", r.delta)) points over \(r.samples) samples") + "</rect>"
            out += "<text x=\(quoted(label + 2 * half + 6)) y=\(quoted(y + 11)) font-size=\"11\">\(String(format: "%+.2f", r.delta))</text>"
        }
        return out + "</svg>"
    }
}
