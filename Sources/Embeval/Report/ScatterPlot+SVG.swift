import Foundation

extension ScatterPlot {
    /// An SVG document of the scatter plot, `width`×`height` user units (the picture scales freely).
    ///
    /// Points are grouped into `<path>` elements of up to `pointsPerPath` round dots of one class each
    /// (`M x y h0` with round line caps, coordinates rounded to 0.1), the groups interleaved in the drawing order.
    /// Dots landing on the same 0.1-unit spot within one path are written once. About 14 bytes per point:
    /// 100,000 points make a file of roughly 1.4 MB (10 classes, random layout: 1.3–1.5 MB).
    public static func svg(points: Matrix, labels: [Int], classNames: [String], title: String,
                           width: Int = 1000, height: Int = 800) -> String {
        let fontSize = max(9, (0.0175 * Double(min(width, height))).rounded())
        let titleSize = (fontSize * 1.35).rounded()
        let metrics = TextMetrics(charWidth: 0.6 * fontSize, lineHeight: 1.45 * fontSize, textHeight: 0.75 * fontSize,
                                  titleCharWidth: 0.62 * titleSize, titleHeight: titleSize)
        let l = layout(points: points, labels: labels, classNames: classNames, title: title,
                       width: width, height: height, metrics: metrics)
        let f = svgNumber
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <title>\(xmlEscaped(title))</title>
        <rect width="\(width)" height="\(height)" fill="#ffffff"/>
        <text x="\(f(l.margin))" y="\(f(l.titleY + 0.8 * titleSize))" font-size="\(f(titleSize))" font-weight="bold" \
        fill="\(textColor.hex)">\(xmlEscaped(l.title))</text>
        <clipPath id="plot-area"><rect x="\(f(l.plot.x0))" y="\(f(l.plot.y0))" width="\(f(l.plot.x1 - l.plot.x0))" \
        height="\(f(l.plot.y1 - l.plot.y0))"/></clipPath>
        <g clip-path="url(#plot-area)" fill="none" stroke-linecap="round" stroke-width="\(svgWidth(2 * l.radius))" \
        stroke-opacity="\(String(format: "%.2f", l.alpha))">

        """
        for chunk in pathChunks(l) {
            let color = Palette.color(chunk.colorIndex).hex
            out += "<path stroke=\"\(color)\" d=\""
            var seen = Set<Int64>()
            for i in chunk.indices {
                let x = Int64((l.px[i] * 10).rounded()), y = Int64((l.py[i] * 10).rounded())
                guard seen.insert(x << 32 | (y & 0xFFFF_FFFF)).inserted else { continue }
                out += "M" + f(l.px[i]) + " " + f(l.py[i]) + "h0"
            }
            out += "\"/>\n"
        }
        out += "</g>\n"
        // Frame and ticks.
        let p = l.plot
        out += "<rect x=\"\(f(p.x0))\" y=\"\(f(p.y0))\" width=\"\(f(p.x1 - p.x0))\" height=\"\(f(p.y1 - p.y0))\" "
            + "fill=\"none\" stroke=\"\(frameColor.hex)\" stroke-width=\"1\"/>\n"
        var tickPath = ""
        for t in l.xTicks { tickPath += "M\(f(t.pixel)) \(f(p.y1))v\(f(l.tickLength))" }
        for t in l.yTicks { tickPath += "M\(f(p.x0)) \(f(t.pixel))h\(f(-l.tickLength))" }
        out += "<path d=\"\(tickPath)\" stroke=\"\(frameColor.hex)\" stroke-width=\"1\"/>\n"
        out += "<g font-size=\"\(f(fontSize))\" fill=\"\(textColor.hex)\">\n"
        for t in l.xTicks {
            out += "<text x=\"\(f(t.pixel))\" y=\"\(f(p.y1 + l.tickLength + 0.95 * fontSize))\" "
                + "text-anchor=\"middle\">\(xmlEscaped(t.text))</text>\n"
        }
        for t in l.yTicks {
            out += "<text x=\"\(f(p.x0 - l.tickLength - 0.3 * fontSize))\" y=\"\(f(t.pixel + 0.35 * fontSize))\" "
                + "text-anchor=\"end\">\(xmlEscaped(t.text))</text>\n"
        }
        // Legend.
        let swatch = metrics.textHeight
        for (row, entry) in l.legend.enumerated() {
            let centre = l.legendY + (Double(row) + 0.5) * metrics.lineHeight
            if let color = entry.color {
                out += "<rect x=\"\(f(l.legendX))\" y=\"\(f(centre - swatch / 2))\" width=\"\(f(swatch))\" "
                    + "height=\"\(f(swatch))\" fill=\"\(color.hex)\"/>\n"
            }
            out += "<text x=\"\(f(l.legendX + swatch + 0.5 * fontSize))\" y=\"\(f(centre + 0.35 * fontSize))\">"
                + "\(xmlEscaped(entry.text))</text>\n"
        }
        out += "</g>\n</svg>\n"
        return out
    }

    static let pointsPerPath = 1000

    /// Groups the drawing order into single-class runs of up to `pointsPerPath` points; a group is emitted when it
    /// fills up, so groups of different classes interleave as the (shuffled) order does.
    static func pathChunks(_ l: Layout) -> [(colorIndex: Int, indices: [Int])] {
        var open = [Int: [Int]]()
        var firstSeen = [Int]()
        var out = [(colorIndex: Int, indices: [Int])]()
        for i in l.order {
            let c = l.colorIndex[i]
            if open[c] == nil { open[c] = []; firstSeen.append(c) }
            open[c]!.append(i)
            if open[c]!.count == pointsPerPath { out.append((c, open[c]!)); open[c] = [] }
        }
        for c in firstSeen where !(open[c]!.isEmpty) { out.append((c, open[c]!)) }
        return out
    }

    private static func svgWidth(_ v: Double) -> String { String(format: "%.2f", v) }
}
