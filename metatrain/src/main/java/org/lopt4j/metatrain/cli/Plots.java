package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.lopt4j.metatrain.run.AtomicFiles;

/** Loss curves as PNG files (XChart, headless), each written atomically. */
final class Plots {
    private Plots() {}

    /** Writes one line per series (x = steps) with a log-scale loss axis when all values are positive. */
    static void losses(Path png, String title, Map<String, List<double[]>> series) throws IOException {
        curves(png, title, "loss", series, true);
    }

    /**
     * One line per series (x = steps; non-finite values left out); the y axis in log scale when {@code log}, every
     * value is positive and they span a decade or more (a log axis labels only its decades: within one it has none).
     */
    static void curves(Path png, String title, String yTitle, Map<String, List<double[]>> series, boolean log) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("step").yAxisTitle(yTitle).build();
        boolean positive = true;
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (var e : series.entrySet()) {
            List<double[]> pts = e.getValue().stream().filter(p -> Double.isFinite(p[1])).toList();   // a diverged run's curve ends where it left the numbers
            if (pts.isEmpty()) continue;
            double[] x = pts.stream().mapToDouble(p -> p[0]).toArray(), y = pts.stream().mapToDouble(p -> p[1]).toArray();
            for (double v : y) {
                positive &= v > 0;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            c.addSeries(e.getKey(), x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        c.getStyler().setYAxisLogarithmic(log && positive && hi >= 10 * lo);
        save(c, png);
    }

    /**
     * Observed against prompted values: {@code points} as markers, {@code lines} as lines (e.g. means), and the line
     * y = x a perfect model would follow.
     */
    static void alignment(Path png, String title, String axis, Map<String, List<double[]>> points, Map<String, List<double[]>> lines) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("prompted " + axis).yAxisTitle("observed " + axis).build();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (boolean marks : new boolean[] {true, false}) {
            for (var e : (marks ? points : lines).entrySet()) {
                List<double[]> pts = e.getValue().stream().filter(p -> Double.isFinite(p[1])).toList();
                if (pts.isEmpty()) continue;
                for (double[] p : pts) { lo = Math.min(lo, p[0]); hi = Math.max(hi, p[0]); }
                var s = c.addSeries(e.getKey(), pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray());
                if (marks) s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
                else s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            }
        }
        if (lo < hi) line(c, "prompt = observed", new double[] {lo, hi}, new double[] {lo, hi}, java.awt.Color.BLACK, 1.5f);
        save(c, png);
    }

    /**
     * A population's lineage: each generation a horizontal line at its slot from the step it started to the step the
     * next generation of that slot started (or {@code end}), joined by a vertical line to the slot it was copied from;
     * the ancestry of generation {@code highlight} (the final best member) drawn over it in red.
     */
    static void lineage(Path png, String title, List<int[]> generations, int end, int highlight) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("outer step").yAxisTitle("slot").build();
        c.getStyler().setLegendVisible(false);
        java.util.Map<Integer, int[]> byId = new java.util.HashMap<>();
        for (int[] g : generations) byId.put(g[0], g);
        java.util.Set<Integer> ancestry = new java.util.HashSet<>();
        for (int[] g = byId.get(highlight); g != null; g = byId.get(g[2])) ancestry.add(g[0]);
        int n = 0;
        for (boolean top : new boolean[] {false, true}) {                  // the ancestry last, so it is drawn on top
            for (int[] g : generations) {                                   // {id, slot, parent, start}
                if (ancestry.contains(g[0]) != top) continue;
                int stop = end;
                for (int[] h : generations) if (h[1] == g[1] && h[3] > g[3]) stop = Math.min(stop, h[3]);
                java.awt.Color color = top ? new java.awt.Color(200, 40, 30) : new java.awt.Color(150, 150, 150);
                float width = top ? 3f : 1f;
                line(c, "g" + n++, new double[] {g[3], stop}, new double[] {g[1], g[1]}, color, width);
                int[] parent = byId.get(g[2]);
                if (parent != null) line(c, "g" + n++, new double[] {g[3], g[3]}, new double[] {parent[1], g[1]}, color, width);
            }
        }
        save(c, png);
    }

    /** One bar per category with a reference line at {@code reference} (e.g. speedup 1). */
    static void bars(Path png, String title, String yTitle, List<String> categories, List<Double> values, double reference) throws IOException {
        System.setProperty("java.awt.headless", "true");
        org.knowm.xchart.CategoryChart c = new org.knowm.xchart.CategoryChartBuilder().width(900).height(560).title(title).yAxisTitle(yTitle).build();
        c.getStyler().setXAxisLabelRotation(20);
        c.getStyler().setOverlapped(true);
        c.addSeries(yTitle, categories, values);
        c.addSeries("= " + reference, categories, java.util.Collections.nCopies(categories.size(), reference))
                .setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(c, out, BitmapEncoder.BitmapFormat.PNG));
    }

    private static void save(XYChart c, Path png) throws IOException {
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(c, out, BitmapEncoder.BitmapFormat.PNG));
    }

    private static void line(XYChart c, String name, double[] x, double[] y, java.awt.Color color, float width) {
        var s = c.addSeries(name, x, y);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new java.awt.BasicStroke(width));
    }
}
