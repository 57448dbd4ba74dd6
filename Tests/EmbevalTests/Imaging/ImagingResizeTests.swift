import Testing
@testable import Embeval

@Suite("Imaging: resize like Pillow")
struct ImagingResizeTests {
    @Test("uint8 output equals Pillow's Image.resize", arguments: ImagingFixtures.manifest.resizes)
    func resizesLikePillow(_ c: ImagingFixtures.ResizeCase) throws {
        let source = try ImageDecoder.decode(fileAt: ImagingFixtures.path(c.file))
        let filter = try #require(Resampling(rawValue: c.resample))
        let out = resize(source, width: c.width, height: c.height, resampling: filter)
        #expect(out.width == c.width && out.height == c.height)
        #expect(SHA256.hex(of: out.pixels) == c.sha256)
    }

    @Test func centerCropPadsWithZeros() {
        let image = RGBImage(width: 1, height: 1, pixels: [9, 9, 9])
        let out = centerCrop(image, width: 2, height: 3)
        // HF places the image at ceil((crop - size) / 2): column 1, row 1.
        #expect(out.pixels == [0, 0, 0, 0, 0, 0,  0, 0, 0, 9, 9, 9,  0, 0, 0, 0, 0, 0])
    }

    @Test func centerCropOffsetsRoundDown() {
        let image = RGBImage(width: 4, height: 1, grayscale: [0, 1, 2, 3])
        #expect(centerCrop(image, width: 1, height: 1).pixels == [1, 1, 1])
        #expect(centerCrop(image, width: 3, height: 1).pixels == [0, 0, 0, 1, 1, 1, 2, 2, 2])
    }
}
