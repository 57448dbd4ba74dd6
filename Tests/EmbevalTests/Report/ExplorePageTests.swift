import Foundation
import Testing
@testable import Embeval

let maliciousLabel = "</script><img src=x onerror=alert(1)>"

/// A page of `n` clustered points: three maps (2-D, 2-D, 3-D), thumbnails (one undecodable), k = 5 neighbours
/// computed in a 16-dimensional "original" space, one hostile class name and id.
func explorePageFixture(_ n: Int, thumbnails: Bool = true, k: Int = 5) -> ExplorePage {
    let classes = 4
    let (original, labels) = clusteredEmbeddings(rows: n, columns: 16, classes: classes, seed: 21, noise: 0.6)
    func project(_ a: Int, _ b: Int, _ c: Int? = nil) -> Matrix {
        Matrix(rowVectors: (0..<n).map { i in [original[i, a], original[i, b]] + (c.map { [original[i, $0]] } ?? []) })
    }
    let names = ["T-shirt \"quoted\"", maliciousLabel, "Bag & <Co>", "Ankle boot"]
    let ids = (0..<n).map { i in i == 1 ? "images/</script><b>x</b>.png" : "images/\(names[labels[i]].prefix(4))/\(i).png" }
    var thumbs: [[UInt8]]? = nil
    if thumbnails {
        thumbs = (0..<n).map { i in
            if i == 2 { return [1, 2, 3] }   // not an image
            let c = Palette.color(labels[i])
            // 64×40 colour blocks with a grey frame: shrinks to 48×30.
            var pixels = [UInt8]()
            for y in 0..<40 { for x in 0..<64 {
                let edge = x < 2 || y < 2 || x > 61 || y > 37
                pixels += edge ? [90, 90, 90] : [c.r, c.g, UInt8((Int(c.b) + i) % 256)]
            } }
            return try! PNGWriter.encode(RGBImage(width: 64, height: 40, pixels: pixels))
        }
    }
    // Brute-force k nearest neighbours in the original space (excluding the point itself).
    let neighbours: [[Int]] = (0..<n).map { i in
        var d = [(Float, Int)]()
        for j in 0..<n where j != i {
            var s: Float = 0
            for c in 0..<16 { let t = original[i, c] - original[j, c]; s += t * t }
            d.append((s, j))
        }
        return d.sorted { $0 < $1 }.prefix(k).map { $0.1 }
    }
    return ExplorePage(title: "demo <model> / \"fashion\" & co", maps: [("PCA", project(0, 1)), ("t-SNE", project(2, 3)),
                       ("UMAP", project(4, 5, 6))], labels: labels, classNames: names, ids: ids, thumbnails: thumbs,
                       neighbours: neighbours)
}

/// The parsed data block of a page.
func explorePageData(_ html: String) throws -> [String: Any] {
    let open = "<script type=\"application/json\" id=\"embeval-data\">"
    let start = try #require(html.range(of: open)), end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
    let json = String(html[start.upperBound..<end.lowerBound])
    return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
}

@Suite struct ExplorePageTests {
    @Test func pageCarriesTheData() throws {
        let page = explorePageFixture(120)
        let html = try page.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let data = try explorePageData(html)
        #expect(data["count"] as? Int == 120)
        let maps = try #require(data["maps"] as? [[String: Any]])
        #expect(maps.map { $0["name"] as? String } == ["PCA", "t-SNE", "UMAP"])
        #expect(maps[2]["dims"] as? Int == 3)
        for m in maps {
            let xy = try #require(m["xy"] as? [Int])
            #expect(xy.count == 240 && xy.allSatisfy { $0 >= 0 && $0 <= ExplorePage.coordinateScale })
            #expect(xy.contains(0) && xy.contains(ExplorePage.coordinateScale))
        }
        #expect(data["labels"] as? [Int] == page.labels)
        #expect(data["ids"] as? [String] == page.ids)
        #expect(data["classNames"] as? [String] == page.classNames)
        #expect(data["neighbours"] as? [[Int]] == page.neighbours)
        #expect((data["colors"] as? [String])?.prefix(4).elementsEqual((0..<4).map { Palette.color($0).hex }) == true)
        // Thumbnails: PNG, shrunk to fit 48×48 with the aspect kept; the broken one is null.
        let thumbs = try #require(data["thumbs"] as? [Any])
        #expect(thumbs[2] is NSNull)
        let firstText = try #require(thumbs[0] as? String)
        let first = try #require(Data(base64Encoded: firstText))
        let image = try ImageDecoder.decode(bytes: [UInt8](first))
        #expect(image.width == 48 && image.height == 30)
        // Self-contained: no external resources.
        for needle in ["http://", "https://", "<link", "src=\"", "@import", "url("] { #expect(!html.contains(needle), "\(needle)") }
    }

    @Test func everyUserStringIsEscaped() throws {
        let html = try explorePageFixture(30).html()
        #expect(!html.contains(maliciousLabel))
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains("<b>x</b>"))
        #expect(!html.contains("<model>"))
        #expect(html.contains("<title>demo &lt;model&gt; / &quot;fashion&quot; &amp; co</title>"))
        // Inside the data block: JSON escapes, no '<' at all, so no "</script>" or "<!--".
        let start = try #require(html.range(of: "id=\"embeval-data\">")), end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let block = html[start.upperBound..<end.lowerBound]
        #expect(!block.contains("<") && !block.contains(">"))
        #expect(block.contains(#"T-shirt \"quoted\""#))
        #expect(block.contains(#"\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e"#))
        // The round trip gives back the exact strings.
        let data = try explorePageData(html)
        #expect((data["classNames"] as? [String])?[1] == maliciousLabel)
        #expect((data["ids"] as? [String])?[1] == "images/</script><b>x</b>.png")
        // Exactly two script elements: the data block and the page's own code.
        #expect(html.components(separatedBy: "<script").count == 3)
        #expect(html.components(separatedBy: "</script>").count == 3)
        #expect(ExplorePage.jsonString("a\u{2028}b\u{0}\\") == #""a\u2028b\u0000\\""#)
    }

    @Test func textThatWouldReorderThePageIsShownReplaced() throws {
        // A right-to-left override in a class name or id reverses everything the tooltip shows after it
        // ("cat\u{202E}gpj.exe" reads "catexe.jpg"): the page's text data carries U+FFFD in its place.
        var page = explorePageFixture(30)
        page.classNames[0] = "cat\u{202E}gpj.exe"
        page.ids[2] = "img\u{2067}02\u{85}.png"
        page.title = "run \u{202D}one"
        let data = try explorePageData(try page.html())
        #expect((data["classNames"] as? [String])?[0] == "cat\u{FFFD}gpj.exe")
        #expect((data["ids"] as? [String])?[2] == "img\u{FFFD}02\u{FFFD}.png")
        #expect((data["title"] as? String) == "run \u{FFFD}one")
        #expect((data["ids"] as? [String])?[1] == "images/</script><b>x</b>.png")
        // The escaping of the data block itself stays faithful: the folder the page loads its points from is a path.
        #expect(ExplorePage.jsonString("a\u{202E}b") == "\"a\u{202E}b\"")
    }

    @Test func inconsistentInputsAreOneClearError() {
        let (m, labels) = scatterPoints(10, classes: 2)
        let base = ExplorePage(title: "t", maps: [("PCA", m)], labels: labels, classNames: ["a", "b"])
        #expect(throws: Never.self) { try base.html() }
        var p = base; p.labels = [0]
        #expect(throws: ReportError.inconsistentPage("1 labels for 10 points")) { try p.html() }
        p = base; p.maps.append(("UMAP", Matrix(rows: 3, columns: 2)))
        #expect(throws: ReportError.self) { try p.html() }
        p = base; p.neighbours = (0..<10).map { _ in [10] }
        #expect(throws: ReportError.inconsistentPage("neighbour 10 of point 0 is out of range 0..<10")) { try p.html() }
        p = base; p.maps = []
        #expect(throws: ReportError.self) { try p.html() }
        p = base; p.thumbnails = [[]]
        #expect(throws: ReportError.self) { try p.html() }
    }

    @Test func fiftyThousandPointsStayCompact() throws {
        let (m, labels) = scatterPoints(50_000, seed: 9)
        let page = ExplorePage(title: "50k", maps: [("PCA", m), ("UMAP", m)], labels: labels, classNames: scatterClassNames)
        let html = try page.html()
        print("explore page, 50,000 points × 2 maps, no thumbnails: \(html.utf8.count) bytes")
        #expect(html.utf8.count < 2_000_000)
    }

    @Test func nonFiniteRowsAreMarkedNotDrawn() throws {
        let m = Matrix(rowVectors: [[0, 0], [.nan, 1], [2, 4]])
        let data = try explorePageData(try ExplorePage(title: "nan", maps: [("m", m)], labels: [], classNames: []).html())
        let map = try #require((data["maps"] as? [[String: Any]])?.first)
        #expect(map["xy"] as? [Int] == [0, 0, -1, -1, 50_000, 99_999])
        #expect(data["labels"] is NSNull && data["ids"] is NSNull && data["thumbs"] is NSNull)
    }
}
