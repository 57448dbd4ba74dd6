import Foundation
import Testing
@testable import Embeval

/// Class names like Fashion-MNIST's, with one hostile name to check escaping.
let scatterClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                         "Ankle boot"]

/// Writes `bytes` under $EMBEVAL_PLOT_DUMP (when set) so a person can look at the pictures.
func dumpForInspection(_ name: String, _ bytes: [UInt8]) {
    guard let dir = ProcessInfo.processInfo.environment["EMBEVAL_PLOT_DUMP"] else { return }
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try? Data(bytes).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
}

/// 2-D clusters, one per class.
func scatterPoints(_ n: Int, classes: Int = 10, seed: UInt64 = 7) -> (Matrix, [Int]) {
    clusteredEmbeddings(rows: n, columns: 2, classes: classes, seed: seed, noise: 0.35)
}

func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> RGBColor {
    let i = 3 * (y * image.width + x)
    return RGBColor(image.pixels[i], image.pixels[i + 1], image.pixels[i + 2])
}

func colorSet(_ image: RGBImage) -> Set<RGBColor> {
    var out = Set<RGBColor>()
    for p in 0..<(image.width * image.height) {
        out.insert(RGBColor(image.pixels[3 * p], image.pixels[3 * p + 1], image.pixels[3 * p + 2]))
    }
    return out
}

@Suite struct ScatterPlotPNGTests {
    @Test func pngHasSignatureSizeAndDecodes() throws {
        let (points, labels) = scatterPoints(2000)
        let bytes = try ScatterPlot.png(points: points, labels: labels, classNames: scatterClassNames,
                                        title: "demo-model / fashion-mnist test / t-SNE", width: 1000, height: 800)
        dumpForInspection("scatter-2000.png", bytes)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(bytes[12..<16]) == Array("IHDR".utf8))
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1000 && height == 800)
        #expect(bytes[24] == 8 && bytes[25] == 2)   // 8-bit RGB
        let image = try ImageDecoder.decode(bytes: bytes)
        #expect(image.width == 1000 && image.height == 800)
        // White background in the corners, every legend colour present exactly.
        for (x, y) in [(0, 0), (999, 0), (0, 799), (999, 799)] { #expect(pixel(image, x, y) == .white) }
        let colors = colorSet(image)
        for c in 0..<10 { #expect(colors.contains(Palette.color(c)), "class \(c) colour missing") }
        #expect(colors.contains(ScatterPlot.textColor))
    }

    @Test func pngMatchesRaster() throws {
        let (points, labels) = scatterPoints(300, classes: 3)
        let image = try ScatterPlot.raster(points: points, labels: labels, classNames: ["a", "b", "c"], title: "t",
                                           width: 400, height: 300)
        let decoded = try ImageDecoder.decode(bytes: try PNGWriter.encode(image))
        #expect(decoded == image)
    }

    @Test func pointsAreDrawnInsideThePlotArea() throws {
        // Two far-apart single-class blobs: plenty of blended class colour inside the frame, none outside.
        let points = Matrix(rowVectors: (0..<200).map { i in [Float(i % 2) * 10 + Float(i % 7) * 0.05, Float(i % 5) * 0.05] })
        let labels = (0..<200).map { $0 % 2 }
        let image = try ScatterPlot.raster(points: points, labels: labels, classNames: ["left", "right"], title: "two",
                                           width: 600, height: 400)
        var tinted = 0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let p = pixel(image, x, y)
                if Int(p.b) > Int(p.r) + 40 { tinted += 1 }   // blue-ish: class 0 (or its blends)
            }
        }
        #expect(tinted > 100)
    }

    @Test func hundredThousandPointsStayReadable() throws {
        let (points, labels) = scatterPoints(100_000, seed: 11)
        let start = Date()
        let bytes = try ScatterPlot.png(points: points, labels: labels, classNames: scatterClassNames,
                                        title: "100,000 points")
        let seconds = Date().timeIntervalSince(start)
        dumpForInspection("scatter-100k.png", bytes)
        let image = try ImageDecoder.decode(bytes: bytes)
        #expect(image.width == 1000)
        // Not a solid blob: translucent points leave many distinct blended shades.
        #expect(colorSet(image).count > 2000)
        #expect(seconds < 60)
    }

    @Test func markerStyleShrinksWithCount() {
        let small = ScatterPlot.markerStyle(count: 100), large = ScatterPlot.markerStyle(count: 100_000)
        #expect(small.radius > large.radius && small.alpha > large.alpha)
        #expect(large.radius >= 0.8 && large.alpha >= 0.2)
    }

    @Test func manyClassesCycleThePaletteAndCollapseTheLegend() throws {
        let (points, labels) = scatterPoints(3000, classes: 90, seed: 3)
        let names = (0..<90).map { "category number \($0)" }
        let image = try ScatterPlot.raster(points: points, labels: labels, classNames: names, title: "90 classes")
        dumpForInspection("scatter-90.png", try PNGWriter.encode(image))
        #expect(Set(Palette.colors(90)).count == 90)
        let svg = ScatterPlot.svg(points: points, labels: labels, classNames: names, title: "90 classes")
        #expect(svg.contains(" more</text>"))
    }

    @Test func threeDimensionalPointsUseTheFirstTwoColumns() throws {
        let (flat, labels) = scatterPoints(500, classes: 4)
        let deep = Matrix(rows: 500, columns: 3, values: (0..<500).flatMap { [flat[$0, 0], flat[$0, 1], Float($0)] })
        let a = try ScatterPlot.raster(points: flat, labels: labels, classNames: ["a", "b", "c", "d"], title: "3d")
        let b = try ScatterPlot.raster(points: deep, labels: labels, classNames: ["a", "b", "c", "d"], title: "3d")
        #expect(a == b)
    }

    @Test func degenerateInputsStillDraw() throws {
        // One point, identical points, NaN rows, no labels, labels without names, negative labels.
        let cases: [(Matrix, [Int], [String])] = [
            (Matrix(rowVectors: [[1, 2]]), [0], ["only"]),
            (Matrix(rowVectors: [[1, 1], [1, 1], [1, 1]]), [0, 1, 2], []),
            (Matrix(rowVectors: [[.nan, 1], [2, .infinity], [3, 4], [5, 6]]), [0, 0, 1, -1], ["x", "y"]),
            (Matrix(rows: 0, columns: 2), [], []),
            (Matrix(rowVectors: [[1, 2], [3, 4]]), [], []),
        ]
        for (points, labels, names) in cases {
            let image = try ImageDecoder.decode(bytes: try ScatterPlot.png(points: points, labels: labels,
                                                                           classNames: names, title: "edge", width: 300, height: 200))
            #expect(image.width == 300 && image.height == 200)
            #expect(ScatterPlot.svg(points: points, labels: labels, classNames: names, title: "edge").hasSuffix("</svg>\n"))
        }
        #expect(throws: ReportError.self) {
            try ScatterPlot.png(points: Matrix(rowVectors: [[1, 2]]), labels: [0], classNames: [], title: "", width: 10, height: 10)
        }
    }

    @Test func pngWriterRoundTripsGrayAndRGB() throws {
        let rgb = RGBImage(width: 3, height: 2, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(try ImageDecoder.decode(bytes: try PNGWriter.encode(rgb)) == rgb)
        let gray = RGBImage(width: 2, height: 2, pixels: [9, 9, 9, 80, 80, 80, 200, 200, 200, 0, 0, 0])
        let grayBytes = try PNGWriter.encode(gray, grayscaleIfPossible: true)
        #expect(grayBytes[25] == 0)   // colour type gray
        #expect(try ImageDecoder.decode(bytes: grayBytes) == gray)
        #expect(throws: ReportError.self) { try PNGWriter.encode(samples: [1, 2], width: 1, height: 1, channels: 3) }
    }
}

@Suite struct ScatterPlotSVGTests {
    @Test func svgHasLegendTitleAndOnePathPerChunk() {
        let (points, labels) = scatterPoints(2500)
        let svg = ScatterPlot.svg(points: points, labels: labels, classNames: scatterClassNames,
                                  title: "model <b>&</b> \"data\" / UMAP")
        dumpForInspection("scatter-2500.svg", Array(svg.utf8))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("model &lt;b&gt;&amp;&lt;/b&gt; &quot;data&quot; / UMAP"))
        #expect(!svg.contains("<b>"))
        for (c, name) in scatterClassNames.enumerated() {
            #expect(svg.contains("fill=\"\(Palette.color(c).hex)\""), "legend swatch of \(name)")
            #expect(svg.contains(">\(xmlEscaped(name)) ("), "legend text of \(name)")
            #expect(svg.contains("<path stroke=\"\(Palette.color(c).hex)\""))
        }
        // Every drawable point appears once (no duplicates at 2,500 random points), with 1-decimal coordinates.
        let moves = svg.components(separatedBy: "h0").count - 1
        #expect(moves > 2400 && moves <= 2500)
        #expect(svg.range(of: #"M\d+\.\d\d"#, options: .regularExpression) == nil)
    }

    @Test func svgSizeAtHundredThousandPoints() {
        let (points, labels) = scatterPoints(100_000, seed: 5)
        let svg = ScatterPlot.svg(points: points, labels: labels, classNames: scatterClassNames, title: "100k")
        let bytes = svg.utf8.count
        print("SVG for 100,000 points: \(bytes) bytes")
        #expect(bytes < 2_000_000)
    }

    @Test func xmlEscapingCoversControlCharacters() {
        #expect(xmlEscaped("a\u{1}b<'>") == "a\u{FFFD}b&lt;&#39;&gt;")
        // Bidirectional overrides, embeddings and isolates, and C1 controls: in a class name they would reverse or
        // hide the text shown after it (a legend, a table cell, a tooltip). Marks (U+200E/U+200F) stay.
        #expect(xmlEscaped("cat\u{202E}god\u{2066}x\u{85}y\u{200F}") == "cat\u{FFFD}god\u{FFFD}x\u{FFFD}y\u{200F}")
        #expect(xmlEscaped("\u{202A}\u{202B}\u{202C}\u{202D}\u{2067}\u{2068}\u{2069}\u{9F}") == String(repeating: "\u{FFFD}", count: 8))
        #expect(xmlEscaped("é 猫 \u{1F431}") == "é 猫 \u{1F431}")
        #expect(svgNumber(-0.04) == "0" && svgNumber(12.345) == "12.3" && svgNumber(-3.96) == "-4")
    }
}
