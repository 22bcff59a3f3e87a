package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Loss curves as PNG files (XChart, headless). */
final class Plots {
    private Plots() {}

    /** Writes one line per series (x = steps) with a log-scale loss axis when all values are positive. */
    static void losses(Path png, String title, Map<String, List<double[]>> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        boolean positive = true;
        for (var e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray(), y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            for (double v : y) positive &= v > 0;
            c.addSeries(e.getKey(), x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        c.getStyler().setYAxisLogarithmic(positive);
        BitmapEncoder.saveBitmap(c, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
