import Foundation

/// An HTML page to browse maps of an embedding set: no network, no external scripts or fonts.
///
/// The page shows one scatter per map (tabs, e.g. PCA / t-SNE / UMAP, all of the same points), coloured by label
/// with `Palette`'s colours. Wheel zooms about the cursor, dragging pans, double-click resets the view. Hovering a
/// point shows a tooltip with its thumbnail, label and id; clicking it lists its k nearest neighbours in the
/// ORIGINAL embedding space (`neighbours`, computed by the caller) with thumbnails; clicking a listed neighbour
/// selects it. Checkboxes hide or show classes. Points are drawn with WebGL where there is a hardware GPU, else
/// by a Canvas 2D raster loop (`ExplorePageScript.renderer`); hover rings sit on an overlay canvas and
/// hit-testing uses a grid index built once per map, so a million points pan and zoom smoothly.
///
/// Up to `inlineLimit` points (`html()`, or `write(to:)`) the page is self-contained: its data travel in one
/// `<script type="application/json">` block: per map the coordinates as integers 0…99,999 in a flat
/// `x0, y0, x1, y1, …` array (both axes share one scale, so shapes keep their aspect; a 3-D map shows its first two
/// columns; non-finite rows are −1 and not drawn), labels, ids, class names and colours, thumbnails as base64 PNG,
/// neighbour lists. Above it, `write(to:)` keeps only names and colours in the HTML and puts the rest in a data
/// folder beside it (`ExplorePageFolder`). Every string is JSON-escaped with `<`, `>`, `&`, U+2028 and U+2029 as
/// `\uXXXX` (so no `</script>` or `<!--` can appear inside the block), the page reads it with `JSON.parse`, and its
/// script puts user strings into the DOM only as text (`textContent`), never as markup. Title text in the HTML is
/// entity-escaped.
///
/// Size of the self-contained form: about 12 bytes per point per map plus ids/labels; thumbnails dominate when
/// given (a 48×48 colour thumbnail is 2–6 KB of base64, a 28×28 grey one well under 1 KB).
///
/// Self-test: opened with the fragment `#selftest`, the page hovers point 0 and clicks it with synthetic mouse
/// events, then writes what it saw into `<pre id="selftest" data-result="passed|failed">` (JSON) and the document
/// title; `chromium --headless --dump-dom file://…/page.html#selftest` prints it (see `Tests/…/Browser`). Other
/// fragments: `ExplorePageScript`.
public struct ExplorePage {
    public var title: String
    /// Maps of the same points (`points.rows` equal for all), in tab order.
    public var maps: [(name: String, points: Matrix)]
    /// One per point (negative: unlabelled); empty: no labels.
    public var labels: [Int]
    public var classNames: [String]
    /// One per point (an id or path shown in tooltips); empty: the row numbers.
    public var ids: [String]
    /// One encoded image (PNG or JPEG) per point, or nil. Decoded, shrunk to fit `thumbnailSize`×`thumbnailSize`
    /// (Pillow-exact bilinear with antialiasing, aspect kept) and re-encoded as PNG. An entry that is empty or does
    /// not decode gets no thumbnail (the tooltip says so); nothing else is affected.
    public var thumbnails: [[UInt8]]?
    /// For each point, the indices of its nearest neighbours in the original embedding space, nearest first.
    public var neighbours: [[Int]]?
    public var thumbnailSize: Int
    /// What an audit flagged (`explore --audit`): the page's Issues panel lists it and rings the points on the map.
    public var issues: ExplorePageIssues? = nil

    public init(title: String, maps: [(name: String, points: Matrix)], labels: [Int], classNames: [String],
                ids: [String] = [], thumbnails: [[UInt8]]? = nil, neighbours: [[Int]]? = nil, thumbnailSize: Int = 48) {
        self.title = title
        self.maps = maps
        self.labels = labels
        self.classNames = classNames
        self.ids = ids
        self.thumbnails = thumbnails
        self.neighbours = neighbours
        self.thumbnailSize = thumbnailSize
    }

    /// Coordinates are quantised to integers in 0…`coordinateScale`.
    static let coordinateScale = 99_999

    /// The number of points (rows of the maps).
    public var count: Int { maps.first?.points.rows ?? labels.count }

    /// Throws `ReportError.inconsistentPage` naming the first inconsistent input (maps of different lengths, a labels, ids,
    /// thumbnails or neighbours list of the wrong length, a neighbour index out of range).
    public func validate() throws {
        guard !maps.isEmpty else { throw ReportError.inconsistentPage("no maps to show") }
        let n = count
        for map in maps where map.points.rows != n {
            throw ReportError.inconsistentPage("map '\(map.name)' has \(map.points.rows) points, expected \(n)")
        }
        for map in maps where map.points.columns < 2 {
            throw ReportError.inconsistentPage("map '\(map.name)' has \(map.points.columns) dimension(s), expected 2 or 3")
        }
        if !labels.isEmpty && labels.count != n { throw ReportError.inconsistentPage("\(labels.count) labels for \(n) points") }
        if !ids.isEmpty && ids.count != n { throw ReportError.inconsistentPage("\(ids.count) ids for \(n) points") }
        if let t = thumbnails, t.count != n { throw ReportError.inconsistentPage("\(t.count) thumbnails for \(n) points") }
        if let nb = neighbours {
            if nb.count != n { throw ReportError.inconsistentPage("\(nb.count) neighbour lists for \(n) points") }
            for (i, list) in nb.enumerated() {
                if let bad = list.first(where: { $0 < 0 || $0 >= n }) {
                    throw ReportError.inconsistentPage("neighbour \(bad) of point \(i) is out of range 0..<\(n)")
                }
            }
        }
        guard thumbnailSize >= 4 && thumbnailSize <= 512 else {
            throw ReportError.inconsistentPage("thumbnail size \(thumbnailSize) is outside 4…512")
        }
        try issues?.validate(count: n, classCount: max(classNames.count, (labels.max() ?? -1) + 1))
    }

    /// The page. Throws `ReportError.inconsistentPage` for inconsistent inputs (see `validate()`).
    public func html() throws -> String {
        try validate()
        let data = dataJSON()
        return ExplorePageTemplate.page(title: htmlEscaped(title), dataJSON: data)
    }

    /// Points above which `write(to:)` moves the data out of the HTML into the sibling folder.
    public static let inlineLimit = 50_000
    /// The same with thumbnails, which dominate the inline size (1–6 KB of base64 each).
    public static let inlineThumbnailLimit = 20_000

    /// The name of the data folder beside a page: `explore.html` → `explore_files`.
    public static func folderName(for page: URL) -> String {
        page.deletingPathExtension().lastPathComponent + "_files"
    }

    /// Writes the page to `url`: self-contained up to `inlineLimit` points (with thumbnails, up to the smaller of
    /// that and `inlineThumbnailLimit`); above that, a small HTML page plus its data folder `<name>_files/` beside
    /// it (see `ExplorePageFolder`). The folder is staged and renamed into place
    /// whole (`OutputFolder`), then the page is written (`OutputFile`); should that last step fail, the old page and
    /// the new folder disagree and the page says so. Returns the folder, or nil for a self-contained page.
    @discardableResult
    public func write(to url: URL, inlineLimit: Int = ExplorePage.inlineLimit) throws -> URL? {
        try validate()
        let limit = thumbnails == nil ? inlineLimit : min(inlineLimit, Self.inlineThumbnailLimit)
        guard count > limit else {
            try OutputFile(url.path).write(try html())
            return nil
        }
        let name = Self.folderName(for: url)
        let large = ExplorePageFolder(self, folderName: name)
        let folderURL = url.deletingLastPathComponent().appendingPathComponent(name)
        let folder = try OutputFolder(folderURL, kind: "explore-page", ownedNames: ExplorePageFolder.isFolderEntry)
        try folder.fill { staging in
            for file in large.files {
                let target = staging.appendingPathComponent(file.path)
                let parent = target.deletingLastPathComponent()
                if parent.path != staging.path {
                    do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
                        throw OutputError.cannotCreate(path: parent.path, reason: OutputFile.reason(error))
                    }
                }
                try OutputFile(target.path).write(file.data)
            }
        }
        try folder.commit(rows: count)
        try OutputFile(url.path).write(large.html)
        return folderURL
    }

    /// The JSON held in the page's data block (already safe to place inside `<script>`).
    func dataJSON() -> String {
        let n = count
        let maxLabel = labels.max() ?? -1
        let colorCount = max(1, maxLabel + 1, classNames.count)
        let style = ScatterPlot.markerStyle(count: n)
        var out = "{"
        out += "\"title\":" + Self.jsonText(title)
        out += ",\"count\":\(n),\"scale\":\(Self.coordinateScale)"
        out += ",\"radius\":" + String(format: "%.2f", style.radius) + ",\"alpha\":" + String(format: "%.2f", style.alpha)
        out += ",\"classNames\":[" + classNames.map(Self.jsonText).joined(separator: ",") + "]"
        out += ",\"colors\":[" + Palette.colors(colorCount).map { Self.jsonString($0.hex) }.joined(separator: ",") + "]"
        out += ",\"unlabelledColor\":" + Self.jsonString(Palette.unlabelled.hex)
        out += ",\"labels\":" + (labels.isEmpty ? "null" : "[" + labels.map { String(max($0, -1)) }.joined(separator: ",") + "]")
        out += ",\"ids\":" + (ids.isEmpty ? "null" : "[" + ids.map(Self.jsonText).joined(separator: ",") + "]")
        out += ",\"maps\":[" + maps.map { map -> String in
            let q = Self.quantised(map.points)
            return "{\"name\":" + Self.jsonText(map.name) + ",\"dims\":\(map.points.columns)"
                + ",\"width\":\(q.width),\"height\":\(q.height),\"xy\":[" + q.xy.map(String.init).joined(separator: ",") + "]}"
        }.joined(separator: ",") + "]"
        if let thumbnails {
            let size = thumbnailSize
            let encoded = Parallel.map(thumbnails.count) { Self.thumbnailBase64(thumbnails[$0], size: size) }
            out += ",\"thumbs\":[" + encoded.map { $0.map { "\"" + $0 + "\"" } ?? "null" }.joined(separator: ",") + "]"
        } else {
            out += ",\"thumbs\":null"
        }
        if let neighbours {
            out += ",\"neighbours\":[" + neighbours.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
                .joined(separator: ",") + "]"
        } else {
            out += ",\"neighbours\":null"
        }
        out += ",\"issues\":" + (issues?.json ?? "null")
        return out + "}"
    }

    /// Columns 0 and 1 mapped onto integers 0…scale with one scale for both axes (the longer extent spans the full
    /// range); non-finite rows become (−1, −1). `width`/`height`: the extents in those units.
    static func quantised(_ points: Matrix, scale: Int = coordinateScale) -> (xy: [Int], width: Int, height: Int) {
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<points.rows {
            let x = Double(points[i, 0]), y = Double(points[i, 1])
            guard x.isFinite, y.isFinite else { continue }
            minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
        }
        guard minX.isFinite else { return ([Int](repeating: -1, count: 2 * points.rows), 1, 1) }
        let extent = max(maxX - minX, maxY - minY, 1e-12)
        let s = Double(scale) / extent
        var xy = [Int]()
        xy.reserveCapacity(2 * points.rows)
        for i in 0..<points.rows {
            let x = Double(points[i, 0]), y = Double(points[i, 1])
            if x.isFinite && y.isFinite {
                xy.append(Int(((x - minX) * s).rounded()))
                xy.append(Int(((y - minY) * s).rounded()))
            } else {
                xy.append(-1); xy.append(-1)
            }
        }
        return (xy, max(1, Int(((maxX - minX) * s).rounded())), max(1, Int(((maxY - minY) * s).rounded())))
    }

    /// A thumbnail of an encoded image as base64 PNG, shrunk to fit size×size; nil if it does not decode.
    static func thumbnailBase64(_ bytes: [UInt8], size: Int) -> String? {
        guard !bytes.isEmpty, let image = try? ImageDecoder.decode(bytes: bytes) else { return nil }
        return try? thumbnailPNG(image, size: size).base64
    }

    /// PNG bytes of `image` shrunk (never enlarged) to fit size×size, keeping its aspect ratio; grey if all pixels are.
    public static func thumbnailPNG(_ image: RGBImage, size: Int = 48) throws -> [UInt8] {
        var small = image
        if image.width > size || image.height > size {
            let f = Double(size) / Double(max(image.width, image.height))
            let w = max(1, Int((Double(image.width) * f).rounded())), h = max(1, Int((Double(image.height) * f).rounded()))
            small = resize(image, width: min(size, w), height: min(size, h), resampling: .bilinear)
        }
        return try PNGWriter.encode(small, grayscaleIfPossible: true, compressionLevel: 9)
    }

    /// A user's string for the page to show (a title, a class name, an id): `displayedText` of it, as `jsonString`.
    static func jsonText(_ s: String) -> String { jsonString(displayedText(s)) }

    /// A JSON string literal safe inside an HTML `<script>` block, with the string's exact scalars (a folder's name).
    static func jsonString(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out.append(contentsOf: String(format: "\\u%04x", scalar.value).unicodeScalars)
            case let c where c.value < 0x20:
                out.append(contentsOf: String(format: "\\u%04x", c.value).unicodeScalars)
            default: out.append(scalar)
            }
        }
        out.append("\"")
        return String(out)
    }
}

/// HTML text / attribute escaping (the same rules as SVG's).
func htmlEscaped(_ s: String) -> String { xmlEscaped(s) }

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}
