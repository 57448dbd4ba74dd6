extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps the body's error type (the standard one rethrows it as `any Error`), so the
    /// decoders' `throws(DecodingFailure)` stays typed through their buffer accesses.
    func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = withUnsafeBytes { raw in
            Swift.Result { () throws(Failure) -> Result in try body(raw) }
        }
        return try outcome.get()
    }
}
