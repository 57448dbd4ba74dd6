import Foundation

/// A small RGB canvas for the PNG plots: alpha-blended anti-aliased discs, filled rectangles, 1-pixel lines and
/// bitmap text (`RasterFont`). Channels are kept as `Float` in 0…255 so thousands of translucent discs blend
/// without rounding drift; `image()` rounds once at the end.
struct Raster {
    let width: Int
    let height: Int
    private(set) var channels: [Float]

    init(width: Int, height: Int, background: RGBColor = .white) {
        self.width = width
        self.height = height
        channels = [Float](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            channels[3 * p] = Float(background.r)
            channels[3 * p + 1] = Float(background.g)
            channels[3 * p + 2] = Float(background.b)
        }
    }

    /// Blends `color` over pixel (x, y) with opacity `alpha` (0…1); outside the canvas nothing happens.
    @inline(__always) mutating func blend(_ x: Int, _ y: Int, _ color: RGBColor, _ alpha: Float) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        let i = 3 * (y * width + x), a = min(alpha, 1)
        channels[i] += (Float(color.r) - channels[i]) * a
        channels[i + 1] += (Float(color.g) - channels[i + 1]) * a
        channels[i + 2] += (Float(color.b) - channels[i + 2]) * a
    }

    /// A disc centred at (cx, cy) in pixel coordinates (pixel (x, y) covers [x, x+1) × [y, y+1)), its edge
    /// anti-aliased over one pixel, then blended with `alpha`. `clip` limits the pixels touched.
    mutating func fillDisc(cx: Double, cy: Double, radius: Double, color: RGBColor, alpha: Float,
                           clip: (x0: Int, y0: Int, x1: Int, y1: Int)? = nil) {
        let c = clip ?? (0, 0, width, height)
        let x0 = max(c.x0, Int((cx - radius - 1).rounded(.down))), x1 = min(c.x1 - 1, Int((cx + radius + 1).rounded(.up)))
        let y0 = max(c.y0, Int((cy - radius - 1).rounded(.down))), y1 = min(c.y1 - 1, Int((cy + radius + 1).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        // Discs narrower than a pixel spread their area instead of vanishing.
        let r = max(radius, 0.5), areaScale = radius < 0.5 ? Float(radius * radius / 0.25) : 1
        for y in y0...y1 {
            let dy = Double(y) + 0.5 - cy
            for x in x0...x1 {
                let dx = Double(x) + 0.5 - cx
                let coverage = min(1, max(0, r + 0.5 - (dx * dx + dy * dy).squareRoot()))
                if coverage > 0 { blend(x, y, color, alpha * Float(coverage) * areaScale) }
            }
        }
    }

    /// Fills the pixels [x0, x1) × [y0, y1).
    mutating func fillRect(x0: Int, y0: Int, x1: Int, y1: Int, color: RGBColor, alpha: Float = 1) {
        for y in max(0, y0)..<max(max(0, y0), min(height, y1)) {
            for x in max(0, x0)..<max(max(0, x0), min(width, x1)) { blend(x, y, color, alpha) }
        }
    }

    /// Outlines the rectangle whose outer edge is [x0, x1) × [y0, y1) with a line `thickness` pixels wide.
    mutating func strokeRect(x0: Int, y0: Int, x1: Int, y1: Int, color: RGBColor, thickness: Int = 1) {
        fillRect(x0: x0, y0: y0, x1: x1, y1: y0 + thickness, color: color)
        fillRect(x0: x0, y0: y1 - thickness, x1: x1, y1: y1, color: color)
        fillRect(x0: x0, y0: y0, x1: x0 + thickness, y1: y1, color: color)
        fillRect(x0: x1 - thickness, y0: y0, x1: x1, y1: y1, color: color)
    }

    /// Draws `text` with its top-left corner at (x, y), each font pixel a `scale`×`scale` block.
    mutating func drawText(_ text: String, x: Int, y: Int, scale: Int, color: RGBColor) {
        var penX = x
        for scalar in text.unicodeScalars {
            let rows = RasterFont.rows(scalar), top = y + RasterFont.baselineShift(scalar) * scale
            for (row, bits) in rows.enumerated() where bits != 0 {
                for column in 0..<RasterFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    fillRect(x0: penX + column * scale, y0: top + row * scale,
                             x1: penX + (column + 1) * scale, y1: top + (row + 1) * scale, color: color)
                }
            }
            penX += RasterFont.cellWidth * scale
        }
    }

    /// The canvas rounded to 8-bit RGB.
    func image() -> RGBImage {
        RGBImage(width: width, height: height, pixels: channels.map { UInt8(max(0, min(255, $0.rounded()))) })
    }
}
