package dev.netspec.runtime.kernels;

/**
 * The sizes of a 2-D convolution or pooling over a batch of {@code (channels, height, width)}
 * images, row-major: the input {@code (batch, inChannels, height, width)}, the output {@code
 * (batch, outChannels, outHeight, outWidth)}. Output position {@code (oh, ow)} reads input rows
 * {@code oh * strideH - padTop + i * dilationH} for {@code i < kernelH} (columns likewise);
 * positions outside the input are padding. A 1-D operation is the same with a height of 1.
 * The caller (the layers) checks the sizes and computes the output size; this only carries
 * them.
 */
public record ConvGeometry(int batch, int inChannels, int height, int width, int outChannels,
    int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft, int dilationH,
    int dilationW, int groups, int outHeight, int outWidth) {

  /** Every size is checked once here: none negative, strides and dilations at least 1. */
  public ConvGeometry {
    if (batch < 0 || inChannels < 0 || height < 0 || width < 0 || outChannels < 0
        || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1
        || dilationW < 1 || groups < 1 || outHeight < 0 || outWidth < 0
        || inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("invalid convolution geometry: " + sizes(batch,
          inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, dilationH,
          dilationW, groups, outHeight, outWidth));
    }
  }

  private static String sizes(int... v) {
    return java.util.Arrays.toString(v);
  }

  /** Input channels per group. */
  public int inPerGroup() {
    return inChannels / groups;
  }

  /** Output channels per group. */
  public int outPerGroup() {
    return outChannels / groups;
  }

  /** The reduction length of one output: {@code inPerGroup * kernelH * kernelW}. */
  public int reduction() {
    return inPerGroup() * kernelH * kernelW;
  }

  /** Values of one input channel: {@code height * width}. */
  public int inPlane() {
    return height * width;
  }

  /** Output positions per channel: {@code outHeight * outWidth}. */
  public int positions() {
    return outHeight * outWidth;
  }

  /** Whether each group holds one input channel (a depthwise convolution). */
  public boolean isDepthwise() {
    return inPerGroup() == 1 && groups > 1;
  }

  /** Whether the kernel is 1x1 with stride 1 and no padding: each output is one input value. */
  public boolean isPointwise() {
    return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0
        && padLeft == 0 && outHeight == height && outWidth == width;
  }
}
