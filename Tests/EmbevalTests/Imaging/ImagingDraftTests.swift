import Foundation
import Testing
@testable import Embeval

/// `--jpeg-draft`: reduced JPEG decodes equal Pillow's `Image.draft("RGB", size)` (fixtures from
/// tools/fixtures/jpeg_draft.py), the scale follows Pillow's rule, EXIF orientation still applies, and other formats
/// decode in full.
@Suite("Imaging: JPEG draft decode like Pillow's Image.draft")
struct ImagingDraftTests {
    struct DraftCase: Decodable, Sendable, CustomTestStringConvertible {
        var file: String
        var target: [Int]
        var stored: [Int]
        var request: [Int]
        var scale: Int
        var width: Int
        var height: Int
        var sha256: String
        var resized_sha256: String
        var testDescription: String { "\(file) → \(target[0])×\(target[1])" }
    }

    struct Fixture: Decodable {
        var versions: [String: String]
        var cases: [DraftCase]
    }

    static let fixture: Fixture = {
        let url = ImagingFixtures.root.appendingPathComponent("draft.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func draft(to size: [Int]) -> JPEGDraft {
        let target = (width: size[0], height: size[1])
        return JPEGDraft { _, _ in target }
    }

    @Test("decoded size and RGB bytes equal Pillow's draft + exif_transpose + convert", arguments: fixture.cases)
    func decodesLikePillowsDraft(_ c: DraftCase) throws {
        let image = try ImageDecoder.decode(fileAt: ImagingFixtures.path(c.file), draft: Self.draft(to: c.target))
        #expect(image.width == c.width && image.height == c.height)
        #expect(try SHA256.hex(of: image.pixels) == c.sha256, "pixels differ from Pillow's draft decode")
        let resized = resize(image, width: c.target[0], height: c.target[1], resampling: .bilinear)
        #expect(try SHA256.hex(of: resized.pixels) == c.resized_sha256, "the draft then resized differs from Pillow's")
    }

    @Test("the scale is Pillow's rule on the stored size and request", arguments: fixture.cases)
    func scaleIsPillowsRule(_ c: DraftCase) {
        #expect(JPEGDraft.scale(width: c.stored[0], height: c.stored[1], target: (c.request[0], c.request[1])) == c.scale)
    }

    /// The fixtures include reductions by 8, 4, 2 and none, so the cases above cover each libjpeg scale.
    @Test func fixturesCoverEveryScale() {
        #expect(Set(Self.fixture.cases.map(\.scale)) == [1, 2, 4, 8])
    }

    @Test func scaleRule() {
        #expect(JPEGDraft.scale(width: 640, height: 480, target: (80, 60)) == 8)
        #expect(JPEGDraft.scale(width: 639, height: 480, target: (80, 60)) == 4)  // 639 ÷ 80 = 7
        #expect(JPEGDraft.scale(width: 640, height: 480, target: (224, 224)) == 2)
        #expect(JPEGDraft.scale(width: 640, height: 480, target: (320, 241)) == 1)
        #expect(JPEGDraft.scale(width: 100, height: 100, target: (400, 400)) == 1)  // larger than the image
        #expect(JPEGDraft.scale(width: 100, height: 100, target: (0, 10)) == 1)
    }

    /// The target is asked for with the upright size: a file stored 40×24 with orientation 6 is 24×40 upright, so a
    /// quarter of it is 6×10 (scale 4); given the stored size, the same closure would lead to scale 2 (12×20).
    @Test func theTargetSeesTheUprightSize() throws {
        let draft = JPEGDraft { w, h in (w / 4, h / 4) }
        let image = try ImageDecoder.decode(fileAt: ImagingFixtures.path("exif_orientation_6.jpg"), draft: draft)
        #expect(image.width == 6 && image.height == 10)
    }

    /// PNG and WebP files have no DCT to scale: they decode in full, exactly as without the option.
    @Test(arguments: ["astronaut_rgb.png", "webp_lossy_q80.webp", "exif_orientation_6.png"])
    func otherFormatsIgnoreTheDraft(_ file: String) throws {
        let full = try ImageDecoder.decode(fileAt: ImagingFixtures.path(file))
        let drafted = try ImageDecoder.decode(fileAt: ImagingFixtures.path(file), draft: Self.draft(to: [1, 1]))
        #expect(drafted == full)
    }

    /// Errors are those of a full decode: a truncated JPEG still fails, naming its file.
    @Test func aTruncatedJPEGStillFails() {
        let path = ImagingFixtures.path("truncated.jpg")
        #expect(throws: ImageError.self) { try ImageDecoder.decode(fileAt: path, draft: Self.draft(to: [8, 8])) }
    }

    /// The preprocessor's draft asks for its resize target (shortest edge here), so the decode keeps the shortest
    /// edge at least that long; without resizing there is no draft.
    @Test func thePreprocessorsDraftKeepsTheResizeTarget() throws {
        var config = PreprocessorConfig.defaults(for: "CLIPImageProcessor")
        config.size = .shortestEdge(100)
        let preprocessor = ImagePreprocessor(config: config)
        let draft = try #require(preprocessor.jpegDraft)
        let image = try ImageDecoder.decode(fileAt: ImagingFixtures.path("china.jpg"), draft: draft)  // 640×427
        #expect(image.width == 160 && image.height == 107)  // 427 ÷ 100 = 4
        config.doResize = false
        #expect(ImagePreprocessor(config: config).jpegDraft == nil)
    }
}
