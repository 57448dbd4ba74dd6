import Foundation
import Testing
@testable import Embeval

/// The explore page's large-map form: what goes into `<page>_files/`, that the HTML stays small, and that the folder
/// is written whole and never over a user's files.
@Suite struct ExplorePageFolderTests {
    /// The JSON inside a folder file's `embevalChunk("kind", k, "token", …);` or `window.embevalPoints=…;`.
    static func payload(_ url: URL) throws -> Any {
        let text = try String(contentsOf: url, encoding: .utf8)
        let json: Substring
        if text.hasPrefix("window.embevalPoints=") {
            json = text.dropFirst("window.embevalPoints=".count).dropLast(2)
        } else {
            let open = try #require(text.firstRange(of: #/^embevalChunk\("\w+",\d+,"[0-9a-f]{16}",/#))
            json = text[open.upperBound...].dropLast(3)
        }
        return try JSONSerialization.jsonObject(with: Data(json.utf8))
    }

    static func words<T: FixedWidthInteger>(_ base64: String, as: T.Type) throws -> [T] {
        let data = try #require(Data(base64Encoded: base64))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / MemoryLayout<T>.size)).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    @Test func htmlStaysSmallAtTwoHundredThousandPoints() throws {
        let n = 200_000
        let (m, labels) = scatterPoints(n, seed: 3)
        let page = ExplorePage(title: "200k", maps: [("PCA", m), ("UMAP", m)], labels: labels, classNames: scatterClassNames,
                               ids: (0..<n).map { "images/class-\(labels[$0])/\($0).jpg" },
                               neighbours: (0..<n).map { i in (1...10).map { (i + $0) % n } })
        let url = TestPaths.scratch("twohundredk").appendingPathComponent("explore.html")
        let folder = try #require(try page.write(to: url))
        let htmlBytes = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        let pointsBytes = try #require(try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("points.js").path)[.size] as? Int)
        print("explore page, 200,000 points × 2 maps with ids and 10 neighbours each: HTML \(htmlBytes) bytes, points.js \(pointsBytes) bytes, \(files.count) files in its folder")
        #expect(htmlBytes < 64_000, "the HTML holds no per-point data")
        // Two maps of 2 × UInt16 per point plus Int16 labels, base64: 4/3 × 10 bytes per point.
        #expect(pointsBytes > 200_000 * 13 && pointsBytes < 200_000 * 14 + 1_000)
        #expect(files.filter { $0.hasPrefix("ids-") }.count == 20 && files.filter { $0.hasPrefix("neighbours-") }.count == 20)
        #expect(files.contains("manifest.json"))
    }

    @Test func folderHoldsThePointsIdsNeighboursAndThumbnails() throws {
        var page = explorePageFixture(250)
        page.maps[0].points[7, 1] = .nan
        let url = TestPaths.scratch("folder-content").appendingPathComponent("explore.html")
        let folder = try #require(try page.write(to: url, inlineLimit: 100))
        let html = try String(contentsOf: url, encoding: .utf8)
        let meta = try explorePageData(html)
        let token = try #require(meta["token"] as? String)
        #expect(meta["count"] as? Int == 250 && meta["folder"] as? String == "explore_files" && meta["chunk"] as? Int == 10_000)

        let points = try #require(try Self.payload(folder.appendingPathComponent("points.js")) as? [String: Any])
        #expect(points["token"] as? String == token)
        let maps = try #require(points["maps"] as? [String])
        #expect(maps.count == 3)
        for (k, map) in page.maps.enumerated() {
            let q = ExplorePage.quantised(map.points, scale: ExplorePageFolder.coordinateScale)
            let decoded = try Self.words(maps[k], as: UInt16.self)
            #expect(decoded == q.xy.map { $0 < 0 ? ExplorePageFolder.missing : UInt16($0) })
        }
        #expect(try Self.words(maps[0], as: UInt16.self)[14...15] == [65_535, 65_535], "the non-finite row is marked")
        let labelsText = try #require(points["labels"] as? String)
        #expect(try Self.words(labelsText, as: Int16.self) == page.labels.map { Int16($0) })
        // Which points have thumbnails: all but point 2 (not an image); each is a file, 48×30.
        let bitsText = try #require(points["thumbs"] as? String)
        let bits = try #require(Data(base64Encoded: bitsText))
        for i in 0..<250 { #expect((bits[i / 8] >> (i % 8)) & 1 == (i == 2 ? 0 : 1)) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("thumbs/0/2.png").path))
        let png = try #require(FileManager.default.contents(atPath: folder.appendingPathComponent("thumbs/0/249.png").path))
        let image = try ImageDecoder.decode(bytes: [UInt8](png))
        #expect(image.width == 48 && image.height == 30)

        #expect(try Self.payload(folder.appendingPathComponent("ids-0.js")) as? [String] == page.ids)
        #expect(try Self.payload(folder.appendingPathComponent("neighbours-0.js")) as? [[Int]] == page.neighbours)
        for name in ["ids-0.js", "neighbours-0.js"] {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(text.contains("\"\(token)\""))
            #expect(!text.contains("<"), "strings JSON-escaped as in the HTML's block")
        }
        // The manifest lists every file with its size.
        #expect(try SetManifest.verified(in: folder)?.files.count == 2 + 249 + 1)
    }

    @Test func largeFormKeepsTheEscapingRules() throws {
        let url = TestPaths.scratch("folder-escaping").appendingPathComponent("explore.html")
        var page = explorePageFixture(150)
        page.classNames[0] = "cat\u{202E}gpj.exe"
        page.ids[3] = "x\u{2066}y"
        let folder = try #require(try page.write(to: url, inlineLimit: 100))
        let html = try String(contentsOf: url, encoding: .utf8)
        #expect((try explorePageData(html)["classNames"] as? [String])?[0] == "cat\u{FFFD}gpj.exe")
        #expect((try Self.payload(folder.appendingPathComponent("ids-0.js")) as? [String])?[3] == "x\u{FFFD}y")
        #expect(!html.contains(maliciousLabel) && !html.contains("<model>"))
        #expect(html.contains("<title>demo &lt;model&gt; / &quot;fashion&quot; &amp; co</title>"))
        let start = try #require(html.range(of: "id=\"embeval-data\">")), end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        #expect(!html[start.upperBound..<end.lowerBound].contains("<"))
        #expect((try explorePageData(html)["classNames"] as? [String])?[1] == maliciousLabel)
        // Three script elements: the data block, the folder's points.js and the page's own code.
        #expect(html.components(separatedBy: "<script").count == 4)
    }

    @Test func thumbnailsMoveToTheFolderPastTwentyThousandPoints() throws {
        let n = ExplorePage.inlineThumbnailLimit + 1
        let (m, labels) = scatterPoints(n, seed: 5)
        let tiny = try PNGWriter.encode(RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 120, count: 12)))
        let page = ExplorePage(title: "thumbs", maps: [("PCA", m)], labels: labels, classNames: scatterClassNames,
                               thumbnails: [[UInt8]](repeating: tiny, count: n))
        let url = TestPaths.scratch("folder-thumbs").appendingPathComponent("explore.html")
        let folder = try #require(try page.write(to: url), "\(n) points with thumbnails should not be inlined")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("thumbs/20/20000.png").path))
        let html = try String(contentsOf: url, encoding: .utf8)
        #expect(html.utf8.count < 64_000 && !html.contains("iVBOR"))
    }

    @Test func smallPagesStaySelfContained() throws {
        let url = TestPaths.scratch("folder-small").appendingPathComponent("explore.html")
        #expect(try explorePageFixture(120).write(to: url) == nil)
        #expect(!FileManager.default.fileExists(atPath: url.deletingLastPathComponent().appendingPathComponent("explore_files").path))
        #expect(try explorePageData(try String(contentsOf: url, encoding: .utf8))["count"] as? Int == 120)
    }

    @Test func folderIsReplacedWholeButNeverOverAUsersFiles() throws {
        let dir = TestPaths.scratch("folder-replace")
        let url = dir.appendingPathComponent("my map.html")
        var page = explorePageFixture(150)
        try page.write(to: url, inlineLimit: 100)
        let folder = dir.appendingPathComponent("my map_files")
        #expect(try String(contentsOf: url, encoding: .utf8).contains("<script src=\"my%20map_files/points.js\">"))
        // Written again with other points: the old folder is replaced whole, no staging folder is left.
        page.labels = page.labels.map { ($0 + 1) % 4 }
        try page.write(to: url, inlineLimit: 100)
        let token = try #require(try explorePageData(try String(contentsOf: url, encoding: .utf8))["token"] as? String)
        #expect((try Self.payload(folder.appendingPathComponent("points.js")) as? [String: Any])?["token"] as? String == token)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["my map.html", "my map_files"])

        // A folder of that name holding someone else's file is refused, and the page is not written.
        let other = TestPaths.scratch("folder-foreign")
        try FileManager.default.createDirectory(at: other.appendingPathComponent("explore_files"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: other.appendingPathComponent("explore_files/notes.txt"))
        #expect(throws: OutputError.self) { try page.write(to: other.appendingPathComponent("explore.html"), inlineLimit: 100) }
        #expect(!FileManager.default.fileExists(atPath: other.appendingPathComponent("explore.html").path))
        #expect(FileManager.default.fileExists(atPath: other.appendingPathComponent("explore_files/notes.txt").path))
        // explore's own output folder owns the data folder's name.
        #expect(Exploration.isOutputFile("explore_files"))
    }
}
