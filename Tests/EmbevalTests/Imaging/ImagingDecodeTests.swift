import Foundation
import Testing
@testable import Embeval

@Suite("Imaging: decode like transformers.load_image")
struct ImagingDecodeTests {
    @Test("decoded RGB bytes equal Pillow's", arguments: ImagingFixtures.manifest.images.filter { $0.error == nil })
    func decodesLikePillow(_ c: ImagingFixtures.ImageCase) throws {
        let image = try ImageDecoder.decode(fileAt: ImagingFixtures.path(c.file))
        #expect(image.width == c.width && image.height == c.height)
        #expect(try SHA256.hex(of: image.pixels) == c.sha256, "pixels differ from Pillow's (mode \(c.pillow_mode ?? "?"))")
    }

    @Test("files Pillow rejects are errors naming the file", arguments: ImagingFixtures.manifest.images.filter { $0.error != nil })
    func rejectsBrokenFiles(_ c: ImagingFixtures.ImageCase) {
        let path = ImagingFixtures.path(c.file)
        #expect {
            try ImageDecoder.decode(fileAt: path)
        } throws: { error in
            guard let e = error as? ImageError else { return false }
            return e.path == path && !e.reason.isEmpty && e.description.hasPrefix("cannot decode image '\(path)': ")
                && !e.description.contains("\n")
        }
    }

    /// One grey channel exactly where Pillow opens a file as one channel (modes L, 1 and I;16), read from the header.
    @Test("grey sources are the files Pillow opens in one channel", arguments: ImagingFixtures.manifest.images.filter { $0.error == nil })
    func greySourcesAreWhatPillowOpensAsOneChannel(_ c: ImagingFixtures.ImageCase) throws {
        let (_, grey) = try ImageDecoder.decodeWithMode(fileAt: ImagingFixtures.path(c.file))
        #expect(grey == ["L", "1", "I;16"].contains(c.pillow_mode ?? ""), "mode \(c.pillow_mode ?? "?")")
    }

    @Test func missingFileIsAnError() {
        #expect(throws: ImageError(path: "/nonexistent/x.jpg", reason: "no such file")) {
            try ImageDecoder.decode(fileAt: "/nonexistent/x.jpg")
        }
    }

    @Test func truncatedJPEGSaysSo() throws {
        do {
            _ = try ImageDecoder.decode(fileAt: ImagingFixtures.path("truncated.jpg"))
            Issue.record("truncated JPEG decoded")
        } catch let e as ImageError {
            #expect(e.reason.contains("Premature end of JPEG file"), "\(e)")
        }
    }

    /// A WebP header declaring more pixels than allowed is refused before libwebp allocates anything for them: the
    /// VP8X canvas of an animation, and the size in a lossless bitstream's header.
    @Test(arguments: [("webp-canvas-60000x60000.webp", 60000, 60000), ("webp-lossless-16384x16384.webp", 16384, 16384)])
    func aWebPDeclaringAHugeCanvasIsRefusedUnread(file: String, width: Int, height: Int) {
        let path = TestPaths.repository.appendingPathComponent("Fuzz/Regressions/image/\(file)").path
        #expect(throws: ImageError.tooManyPixels(path: path, width: width, height: height, limit: ImageLimits.pillowMaximum)) {
            try ImageDecoder.decode(fileAt: path)
        }
    }

    @Test func brokenWebPFilesSayWhatIsWrong() throws {
        #expect(throws: ImageError(path: ImagingFixtures.path("webp_truncated.webp"), reason: "image file is truncated")) {
            try ImageDecoder.decode(fileAt: ImagingFixtures.path("webp_truncated.webp"))
        }
        #expect(throws: ImageError(path: ImagingFixtures.path("webp_corrupt.webp"), reason: "corrupt WebP bitstream")) {
            try ImageDecoder.decode(fileAt: ImagingFixtures.path("webp_corrupt.webp"))
        }
        // RIFF, but not a WebP: not identified, as Pillow would not.
        #expect(throws: ImageError(path: "wave", reason: "cannot identify image file (not a JPEG, PNG or WebP)")) {
            try ImageDecoder.decode(bytes: Array("RIFF\u{4}\0\0\0WAVEfmt ".utf8), name: "wave")
        }
    }

    @Test func grayscaleReplicatesIntoRGB() {
        let image = RGBImage(width: 2, height: 1, grayscale: [7, 200])
        #expect(image.pixels == [7, 7, 7, 200, 200, 200])
    }

    @Test func exifOrientationIsReadFromBothByteOrders() {
        let little: [UInt8] = [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
        let big: [UInt8] = [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0]
        #expect(ExifOrientation(exif: little) == .rotate270)
        #expect(ExifOrientation(exif: big) == .rotate90)
        #expect(ExifOrientation(exif: [1, 2, 3]) == nil)
    }
}
