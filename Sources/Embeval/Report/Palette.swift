import Foundation

/// An opaque 8-bit sRGB colour.
public struct RGBColor: Equatable, Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    /// `#rrggbb`, as SVG, CSS and canvas take it.
    public var hex: String { String(format: "#%02x%02x%02x", r, g, b) }

    public static let white = RGBColor(255, 255, 255)
    public static let black = RGBColor(0, 0, 0)
}

/// The categorical colours of the maps: class `i` gets `Palette.color(i)` in the SVG, the PNG and the HTML page.
///
/// Twenty hand-picked colours: ten saturated ones first (so ≤ 10 classes never get two similar hues), then a lighter
/// companion of each. From class 20 on the list repeats with the hue turned and the lightness shifted a little more
/// each round, so neighbouring rounds stay distinguishable. Points without a label (label < 0) are dark grey.
public enum Palette {
    static let base: [UInt32] = [
        0x2F6FB0, 0xE8772E, 0x3A9A4A, 0xD23F3F, 0x8A63B8, 0x8C5A45, 0xD970B8, 0x7A7A7A, 0xB5B02C, 0x23AEBF,
        0x9CC3E6, 0xF5BB85, 0x9BD68F, 0xF29C98, 0xC9B3DD, 0xC9A596, 0xF2B9D9, 0xC4C4C4, 0xDEDB92, 0x9DDDE6,
    ]

    /// The colour of points whose label is negative (no class).
    public static let unlabelled = RGBColor(hex: 0x303030)

    /// The colour of class `index` (any non-negative index; negative ones get `unlabelled`).
    public static func color(_ index: Int) -> RGBColor {
        guard index >= 0 else { return unlabelled }
        let start = RGBColor(hex: base[index % base.count])
        let round = index / base.count
        if round == 0 { return start }
        var (h, s, l) = hsl(start)
        h = (h + Double(round) * 0.083).truncatingRemainder(dividingBy: 1)   // 30° per round
        let shift = [-0.12, 0.08, -0.2, 0.14][(round - 1) % 4]
        l = min(0.82, max(0.22, l + shift))
        s = min(1, s * 1.05)
        return rgb(h, s, l)
    }

    /// The first `count` class colours.
    public static func colors(_ count: Int) -> [RGBColor] { (0..<max(0, count)).map(color) }

    static func hsl(_ c: RGBColor) -> (Double, Double, Double) {
        let r = Double(c.r) / 255, g = Double(c.g) / 255, b = Double(c.b) / 255
        let mx = max(r, g, b), mn = min(r, g, b), l = (mx + mn) / 2
        guard mx > mn else { return (0, 0, l) }
        let d = mx - mn
        let s = l > 0.5 ? d / (2 - mx - mn) : d / (mx + mn)
        var h: Double
        if mx == r { h = (g - b) / d + (g < b ? 6 : 0) } else if mx == g { h = (b - r) / d + 2 } else { h = (r - g) / d + 4 }
        h /= 6
        return (h, s, l)
    }

    static func rgb(_ h: Double, _ s: Double, _ l: Double) -> RGBColor {
        func channel(_ t0: Double, _ p: Double, _ q: Double) -> UInt8 {
            var t = t0
            if t < 0 { t += 1 }
            if t > 1 { t -= 1 }
            let v: Double
            if t < 1.0 / 6 { v = p + (q - p) * 6 * t } else if t < 0.5 { v = q } else if t < 2.0 / 3 { v = p + (q - p) * (2.0 / 3 - t) * 6 } else { v = p }
            return UInt8(max(0, min(255, (v * 255).rounded())))
        }
        guard s > 0 else { let v = UInt8(max(0, min(255, (l * 255).rounded()))); return RGBColor(v, v, v) }
        let q = l < 0.5 ? l * (1 + s) : l + s - l * s, p = 2 * l - q
        return RGBColor(channel(h + 1.0 / 3, p, q), channel(h, p, q), channel(h - 1.0 / 3, p, q))
    }
}
