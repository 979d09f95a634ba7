/// Fitting a fixed-format dataset's images to the networks: torchvision's
/// `Grayscale(num_output_channels)` then `Resize(size)` and `CenterCrop(size)`.
extension ImageSet {
    /// Every image with `channels` channels (grey copied to each RGB channel; RGB to luma
    /// L = (299·R + 587·G + 114·B) / 1000, as PIL's `convert("L")`) and resized to
    /// `size` × `size`.
    public func converted(channels: Int, size: Int) -> ImageSet {
        let (c, h, w) = (imageShape[0], imageShape[1], imageShape[2])
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * channels * size * size)
        var interleaved = [UInt8](repeating: 0, count: h * w * channels)
        for index in 0..<count {
            let image = self.image(index), base = 0
            for p in 0..<(h * w) {
                if c == channels {
                    for k in 0..<c { interleaved[p * channels + k] = image[base + k * h * w + p] }
                } else if c == 1 {
                    for k in 0..<channels { interleaved[p * channels + k] = image[base + p] }
                } else {
                    let luma = (299 * Int(image[base + p]) + 587 * Int(image[base + h * w + p]) + 114 * Int(image[base + 2 * h * w + p])) / 1000
                    interleaved[p * channels] = UInt8(luma)
                }
            }
            let decoded = DecodedImage(width: w, height: h, channels: channels, pixels: interleaved)
            bytes.append(contentsOf: ImageResize.resizeAndCenterCrop(decoded, size: size))
        }
        return ImageSet(imageShape: [channels, size, size], pixels: bytes, labels: labels)
    }
}
