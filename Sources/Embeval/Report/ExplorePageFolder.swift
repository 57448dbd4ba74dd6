import Foundation

/// The large-map form of `ExplorePage`: a small HTML page plus a sibling data folder (`<page>_files/`) that the
/// page loads with `<script src>` (Chromium refuses `fetch()` of `file://`, not script tags).
///
/// The folder holds
/// - `points.js`: every map's coordinates as base64 little-endian UInt16 pairs (0…65,534 on one scale for both axes,
///   65,535 for a non-finite row), the labels as base64 Int16 (Int32 past 32,766 classes), and a bitset of which
///   points have a thumbnail — about 5.3 bytes per point per map plus 2.7 for the labels;
/// - `ids-<k>.js`, `neighbours-<k>.js`: ids and neighbour lists in chunks of `chunkSize` points, loaded only when
///   a point of that chunk is hovered or listed;
/// - `thumbs/<i / 1000>/<i>.png`: one PNG per point that has one, loaded by `<img src>` only when shown;
/// - `manifest.json` (written by `OutputFolder`): what the folder holds.
/// Every file carries the page's `token` (a hash of the data); the page refuses, with a message saying so, a folder
/// that is missing, incomplete or written for another page.
struct ExplorePageFolder {
    /// Coordinates are quantised to integers in 0…`coordinateScale`; `missing` marks a non-finite row.
    static let coordinateScale = 65_534
    static let missing: UInt16 = 65_535
    /// Points per ids / neighbours chunk file.
    static let chunkSize = 10_000
    /// Thumbnails per `thumbs/` subfolder.
    static let thumbsPerFolder = 1_000

    /// The page's HTML.
    var html: String
    /// Files of the folder, by path relative to it.
    var files: [(path: String, data: Data)]

    init(_ page: ExplorePage, folderName: String) {
        let n = page.count
        let maxLabel = page.labels.max() ?? -1
        let colorCount = max(1, maxLabel + 1, page.classNames.count)
        let style = ScatterPlot.markerStyle(count: n)

        // Payloads first (their hash is the token every file carries).
        let maps = page.maps.map { map -> (name: String, dims: Int, width: Int, height: Int, base64: String) in
            let q = ExplorePage.quantised(map.points, scale: Self.coordinateScale)
            var words = [UInt16](repeating: Self.missing, count: q.xy.count)
            for (k, v) in q.xy.enumerated() where v >= 0 { words[k] = UInt16(v) }
            return (map.name, map.points.columns, q.width, q.height, Self.littleEndianBase64(words))
        }
        let wideLabels = maxLabel > 32_766
        let labels: String? = page.labels.isEmpty ? nil
            : wideLabels ? Self.littleEndianBase64(page.labels.map { Int32(clamping: max($0, -1)) })
            : Self.littleEndianBase64(page.labels.map { Int16(max($0, -1)) })
        let size = page.thumbnailSize
        let thumbs: [[UInt8]?]? = page.thumbnails.map { t in Parallel.map(t.count) { Self.thumbnail(t[$0], size: size) } }
        let chunks = stride(from: 0, to: n, by: Self.chunkSize).map { $0..<min(n, $0 + Self.chunkSize) }
        let idChunks = page.ids.isEmpty ? [] : chunks.map { r in "[" + page.ids[r].map(ExplorePage.jsonText).joined(separator: ",") + "]" }
        let neighbourChunks: [String] = page.neighbours.map { nb in chunks.map { Self.jsonLists(nb[$0]) } } ?? []
        var hash = FNV1a()
        maps.forEach { hash.add($0.base64) }
        hash.add(labels ?? "-")
        idChunks.forEach { hash.add($0) }
        neighbourChunks.forEach { hash.add($0) }
        thumbs?.forEach { hash.add($0 ?? []) }
        let token = String(format: "%016llx", hash.value)

        var files = [(path: String, data: Data)]()
        var points = "window.embevalPoints={\"token\":\"\(token)\""
        points += ",\"maps\":[" + maps.map { "\"" + $0.base64 + "\"" }.joined(separator: ",") + "]"
        points += ",\"labels\":" + (labels.map { "\"" + $0 + "\"" } ?? "null") + ",\"labelBytes\":\(wideLabels ? 4 : 2)"
        if let thumbs {
            var bits = [UInt8](repeating: 0, count: (n + 7) / 8)
            for (i, t) in thumbs.enumerated() where t != nil { bits[i / 8] |= 1 << UInt8(i % 8) }
            points += ",\"thumbs\":\"" + bits.base64 + "\""
        } else {
            points += ",\"thumbs\":null"
        }
        files.append(("points.js", Data((points + "};\n").utf8)))
        for (k, chunk) in idChunks.enumerated() {
            files.append(("ids-\(k).js", Data("embevalChunk(\"ids\",\(k),\"\(token)\",\(chunk));\n".utf8)))
        }
        for (k, chunk) in neighbourChunks.enumerated() {
            files.append(("neighbours-\(k).js", Data("embevalChunk(\"neighbours\",\(k),\"\(token)\",\(chunk));\n".utf8)))
        }
        for (i, t) in (thumbs ?? []).enumerated() {
            if let t { files.append((Self.thumbnailPath(i), Data(t))) }
        }
        self.files = files

        // The HTML's data block: only what is small (names, colours, sizes), plus where the rest lives.
        var meta = "{"
        meta += "\"title\":" + ExplorePage.jsonText(page.title)
        meta += ",\"count\":\(n),\"scale\":\(Self.coordinateScale)"
        meta += ",\"radius\":" + String(format: "%.2f", style.radius) + ",\"alpha\":" + String(format: "%.2f", style.alpha)
        meta += ",\"classNames\":[" + page.classNames.map(ExplorePage.jsonText).joined(separator: ",") + "]"
        meta += ",\"colors\":[" + Palette.colors(colorCount).map { ExplorePage.jsonString($0.hex) }.joined(separator: ",") + "]"
        meta += ",\"unlabelledColor\":" + ExplorePage.jsonString(Palette.unlabelled.hex)
        meta += ",\"labelled\":\(!page.labels.isEmpty),\"hasIds\":\(!page.ids.isEmpty)"
        meta += ",\"hasNeighbours\":\(page.neighbours != nil),\"hasThumbs\":\(page.thumbnails != nil)"
        meta += ",\"folder\":" + ExplorePage.jsonString(folderName) + ",\"token\":\"\(token)\",\"chunk\":\(Self.chunkSize)"
        meta += ",\"thumbsPerFolder\":\(Self.thumbsPerFolder)"
        meta += ",\"issues\":" + (page.issues?.json ?? "null")
        meta += ",\"maps\":[" + maps.map {
            "{\"name\":" + ExplorePage.jsonText($0.name) + ",\"dims\":\($0.dims),\"width\":\($0.width),\"height\":\($0.height)}"
        }.joined(separator: ",") + "]}"
        html = ExplorePageTemplate.page(title: htmlEscaped(page.title), dataJSON: meta,
                                        pointsSource: Self.percentEncoded(folderName) + "/points.js")
    }

    /// Integer lists as a JSON array of arrays.
    static func jsonLists(_ lists: ArraySlice<[Int]>) -> String {
        let inner: [String] = lists.map { list in "[" + list.map(String.init).joined(separator: ",") + "]" }
        return "[" + inner.joined(separator: ",") + "]"
    }

    /// Where point `i`'s thumbnail lives in the folder.
    static func thumbnailPath(_ i: Int) -> String { "thumbs/\(i / thumbsPerFolder)/\(i).png" }

    /// Whether `name` is an entry this folder may hold (for replacing an older one).
    static func isFolderEntry(_ name: String) -> Bool {
        name == "points.js" || name == "thumbs" || name == SetManifest.fileName
            || ((name.hasPrefix("ids-") || name.hasPrefix("neighbours-")) && name.hasSuffix(".js"))
    }

    static func thumbnail(_ bytes: [UInt8], size: Int) -> [UInt8]? {
        guard !bytes.isEmpty, let image = try? ImageDecoder.decode(bytes: bytes) else { return nil }
        return try? ExplorePage.thumbnailPNG(image, size: size)
    }

    /// Integers as base64 of their little-endian bytes (what typed arrays read on every platform browsers run on).
    static func littleEndianBase64<T: FixedWidthInteger>(_ values: [T]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
        for v in values {
            let le = v.littleEndian
            withUnsafeBytes(of: le) { bytes.append(contentsOf: $0) }
        }
        return bytes.base64
    }

    /// A folder name as a relative URL path segment (the page's `<script src>`); also safe inside an attribute.
    static func percentEncoded(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "data"
    }
}

/// 64-bit FNV-1a, to tie a page to the folder written with it.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) { for b in s.utf8 { add(b) } ; add(0xff) }
    mutating func add(_ bytes: [UInt8]) { for b in bytes { add(b) } ; add(0xfe) }
    private mutating func add(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
}
