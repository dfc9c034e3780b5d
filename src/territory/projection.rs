//! Where a point of the region lands on a drawing made by the service (the observatory's map,
//! a day plan's routes): an equirectangular projection at the region's mean latitude, true to
//! distances within a few per cent across Hauts-de-France, north up, in pixels.

/// Kilometres per degree of latitude, and the cosine of the region's mean latitude (50.1° N):
/// kilometres per degree of longitude are their product.
pub const KM_PER_DEG_LAT: f64 = 110.57;
pub const MEAN_LAT_COS: f64 = 0.6414;

/// A drawing's frame: the north-west corner it starts from, its scale and size in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    lon0: f64,
    lat1: f64,
    /// Pixels per km.
    pub scale: f64,
    pub margin: f64,
    pub width: f64,
    pub height: f64,
}

/// Longitudes and latitudes spanned by `points` (longitude, latitude); `fallback` when none.
fn bounds(
    points: impl IntoIterator<Item = (f64, f64)>,
    fallback: (f64, f64, f64, f64),
) -> (f64, f64, f64, f64) {
    let (mut lon0, mut lon1, mut lat0, mut lat1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let mut any = false;
    for (lon, lat) in points {
        any = true;
        lon0 = lon0.min(lon);
        lon1 = lon1.max(lon);
        lat0 = lat0.min(lat);
        lat1 = lat1.max(lat);
    }
    if any {
        (lon0, lon1, lat0, lat1)
    } else {
        fallback
    }
}

/// The region's extent when there is nothing to frame.
pub const REGION: (f64, f64, f64, f64) = (1.3, 4.3, 48.8, 51.1);

impl Frame {
    /// The frame of `points` at `scale` pixels per km, with `margin` pixels around.
    pub fn at_scale(
        points: impl IntoIterator<Item = (f64, f64)>,
        scale: f64,
        margin: f64,
    ) -> Frame {
        let (lon0, lon1, lat0, lat1) = bounds(points, REGION);
        Frame {
            lon0,
            lat1,
            scale,
            margin,
            width: (lon1 - lon0) * KM_PER_DEG_LAT * MEAN_LAT_COS * scale + 2.0 * margin,
            height: (lat1 - lat0) * KM_PER_DEG_LAT * scale + 2.0 * margin,
        }
    }

    /// The frame of `points` at the largest scale (at most `max_scale` pixels per km) that fits
    /// them within `width` × `height` pixels, margins included.
    pub fn fitting(
        points: impl IntoIterator<Item = (f64, f64)> + Clone,
        width: f64,
        height: f64,
        margin: f64,
        max_scale: f64,
    ) -> Frame {
        let (lon0, lon1, lat0, lat1) = bounds(points.clone(), REGION);
        let km_x = ((lon1 - lon0) * KM_PER_DEG_LAT * MEAN_LAT_COS).max(1e-3);
        let km_y = ((lat1 - lat0) * KM_PER_DEG_LAT).max(1e-3);
        let scale = ((width - 2.0 * margin) / km_x)
            .min((height - 2.0 * margin) / km_y)
            .min(max_scale);
        Frame::at_scale(points, scale, margin)
    }

    /// Pixels of a point (longitude, latitude) from the frame's top-left corner.
    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.margin + (lon - self.lon0) * KM_PER_DEG_LAT * MEAN_LAT_COS * self.scale,
            self.margin + (self.lat1 - lat) * KM_PER_DEG_LAT * self.scale,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_keeps_its_points_inside_and_north_up() {
        let points = [(2.30, 49.89), (2.80, 50.30), (1.90, 49.60)];
        let f = Frame::fitting(points, 600.0, 400.0, 20.0, 50.0);
        for (lon, lat) in points {
            let (x, y) = f.xy(lon, lat);
            assert!((20.0 - 1e-9..=f.width - 20.0 + 1e-9).contains(&x), "{x}");
            assert!((20.0 - 1e-9..=f.height - 20.0 + 1e-9).contains(&y), "{y}");
        }
        assert!(f.width <= 600.0 + 1e-9 && f.height <= 400.0 + 1e-9);
        assert!(f.xy(2.3, 50.3).1 < f.xy(2.3, 49.9).1);
    }
}
