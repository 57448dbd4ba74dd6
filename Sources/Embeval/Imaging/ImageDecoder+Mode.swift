extension ImageDecoder {
    /// Whether encoded image bytes open in Pillow as a one-channel grey image (mode "L" and its lower-depth kin):
    /// a JPEG with one component, or a PNG of colour type 0 (grey, without alpha). Read from the header only;
    /// anything unrecognised is not grey.
    ///
    /// The raw-pixel baseline keeps such an image's single channel, as it does for IDX arrays, so a grey dataset gives
    /// the same vectors whether it is read from IDX files or from PNGs (Hugging Face's Image feature stores them so).
    public static func isGrayscale(_ bytes: [UInt8]) -> Bool {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // The signature, then IHDR: length (4), "IHDR" (4), width (4), height (4), bit depth, colour type.
            return bytes.count > 25 && bytes[12..<16].elementsEqual("IHDR".utf8) && bytes[25] == 0
        }
        guard bytes.starts(with: [0xFF, 0xD8]) else { return false }
        // JPEG segments up to the frame header (SOF0…SOF15 but DHT C4, JPG C8, DAC CC): its component count.
        var position = 2
        while position + 4 <= bytes.count {
            guard bytes[position] == 0xFF else { return false }
            let marker = bytes[position + 1]
            if marker == 0xFF { position += 1; continue }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { position += 2; continue }
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return position + 9 < bytes.count && bytes[position + 9] == 1
            }
            if marker == 0xDA || length < 2 { return false }
            position += 2 + length
        }
        return false
    }
}
