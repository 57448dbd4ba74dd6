import Foundation

extension ScatterPlot {
    /// PNG bytes of the scatter plot, `width`×`height` pixels, drawn by `Raster` (anti-aliased, alpha-blended
    /// discs; title, ticks and legend in the built-in 5×7 bitmap font, which shows non-ASCII characters as `?`) and
    /// encoded by libpng. Throws `ReportError.picture` if the size is unusable or libpng fails.
    public static func png(points: Matrix, labels: [Int], classNames: [String], title: String,
                           width: Int = 1000, height: Int = 800) throws -> [UInt8] {
        try PNGWriter.encode(raster(points: points, labels: labels, classNames: classNames, title: title,
                                    width: width, height: height))
    }

    /// The plot as an RGB image (what `png` encodes).
    public static func raster(points: Matrix, labels: [Int], classNames: [String], title: String,
                              width: Int = 1000, height: Int = 800) throws -> RGBImage {
        guard width >= 200, height >= 150, width <= 16384, height <= 16384 else {
            throw ReportError.picture("plot size \(width)×\(height) is outside 200×150 … 16384×16384")
        }
        let s = max(1, Int((Double(min(width, height)) / 500).rounded()))
        let titleScale = s + 1
        let metrics = TextMetrics(charWidth: Double(RasterFont.cellWidth * s), lineHeight: Double(11 * s),
                                  textHeight: Double(RasterFont.glyphHeight * s),
                                  titleCharWidth: Double(RasterFont.cellWidth * titleScale),
                                  titleHeight: Double(RasterFont.glyphHeight * titleScale))
        let l = layout(points: points, labels: labels, classNames: classNames, title: title,
                       width: width, height: height, metrics: metrics)
        var canvas = Raster(width: width, height: height)
        let x0 = Int(l.plot.x0.rounded()), y0 = Int(l.plot.y0.rounded())
        let x1 = Int(l.plot.x1.rounded()), y1 = Int(l.plot.y1.rounded())

        let alpha = Float(l.alpha)
        let colors = Dictionary(uniqueKeysWithValues: Set(l.colorIndex).map { ($0, Palette.color($0)) })
        for i in l.order {
            canvas.fillDisc(cx: l.px[i], cy: l.py[i], radius: l.radius, color: colors[l.colorIndex[i]]!, alpha: alpha,
                            clip: (x0 + 1, y0 + 1, x1 - 1, y1 - 1))
        }

        canvas.strokeRect(x0: x0, y0: y0, x1: x1, y1: y1, color: frameColor)
        let tick = Int(l.tickLength)
        for t in l.xTicks {
            let x = Int(t.pixel.rounded(.down))
            canvas.fillRect(x0: x, y0: y1, x1: x + 1, y1: y1 + tick, color: frameColor)
            let w = RasterFont.width(t.text, scale: s)
            canvas.drawText(t.text, x: x - w / 2, y: y1 + tick + 2 * s, scale: s, color: textColor)
        }
        for t in l.yTicks {
            let y = Int(t.pixel.rounded(.down))
            canvas.fillRect(x0: x0 - tick, y0: y, x1: x0, y1: y + 1, color: frameColor)
            let w = RasterFont.width(t.text, scale: s)
            canvas.drawText(t.text, x: x0 - tick - 2 * s - w, y: y - (RasterFont.glyphHeight * s) / 2, scale: s,
                            color: textColor)
        }
        canvas.drawText(l.title, x: Int(l.margin), y: Int(l.titleY), scale: titleScale, color: textColor)

        let swatch = RasterFont.glyphHeight * s
        for (row, entry) in l.legend.enumerated() {
            let centre = Int((l.legendY + (Double(row) + 0.5) * metrics.lineHeight).rounded())
            let top = centre - swatch / 2, left = Int(l.legendX.rounded())
            if let color = entry.color {
                canvas.fillRect(x0: left, y0: top, x1: left + swatch, y1: top + swatch, color: color)
            }
            canvas.drawText(entry.text, x: left + swatch + 4 * s, y: top, scale: s, color: textColor)
        }
        return canvas.image()
    }
}
