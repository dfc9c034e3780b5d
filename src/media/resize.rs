//! Photos resized by the service: venues' pages load a thumbnail or a page-size JPEG, never a
//! 10 MB original.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView, ImageFormat};

/// A photo's size and its two renderings.
pub struct Resized {
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub page: Vec<u8>,
}

/// Decodes a photo of the given format and renders it at both sizes (never enlarged), or says why
/// it cannot be read.
pub fn resize(
    bytes: &[u8],
    format: ImageFormat,
    thumbnail_side: u32,
    page_side: u32,
) -> Result<Resized, String> {
    let image = image::load_from_memory_with_format(bytes, format).map_err(|e| e.to_string())?;
    let (width, height) = image.dimensions();
    Ok(Resized {
        width,
        height,
        thumbnail: jpeg(&fit(&image, thumbnail_side), 80)?,
        page: jpeg(&fit(&image, page_side), 85)?,
    })
}

/// The image scaled so that its longest side is at most `side` (a smaller image is kept as is).
fn fit(image: &DynamicImage, side: u32) -> DynamicImage {
    let (w, h) = image.dimensions();
    if w <= side && h <= side {
        image.clone()
    } else {
        // Triangle is bilinear: sharp enough for a page, several times faster than Lanczos on
        // a 24-megapixel phone photo.
        image.resize(side, side, FilterType::Triangle)
    }
}

/// JPEG has no transparency: a PNG's alpha is flattened onto white first.
fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, String> {
    let rgb = if image.color().has_alpha() {
        let rgba = image.to_rgba8();
        let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
        for (x, y, p) in rgba.enumerate_pixels() {
            let a = u16::from(p[3]);
            let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            rgb.put_pixel(x, y, image::Rgb([blend(p[0]), blend(p[1]), blend(p[2])]));
        }
        rgb
    } else {
        image.to_rgb8()
    };
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
