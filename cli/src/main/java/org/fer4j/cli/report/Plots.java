package org.fer4j.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.fer4j.engine.metrics.ConfusionMatrix;
import org.fer4j.engine.train.EpochLogs;
import org.fer4j.engine.train.History;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's two figures, drawn with JFreeChart into PNG files, headless: training curves
 * (loss and accuracy per epoch, training against validation, as Keras users plot their
 * {@code history}) and the confusion matrix (counts and row-normalised, side by side).
 */
public final class Plots {
    private static final Color TRAIN = new Color(0x1f, 0x77, 0xb4);
    private static final Color VALIDATION = new Color(0xff, 0x7f, 0x0e);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** {@code curves.png}: loss on the left, accuracy on the right, epochs counted from 1. */
    public static void curves(Path file, History history) throws IOException {
        JFreeChart loss = lineChart("Loss", history, "loss", "val_loss");
        JFreeChart accuracy = lineChart("Accuracy", history, "accuracy", "val_accuracy");
        ((NumberAxis) accuracy.getXYPlot().getRangeAxis()).setRange(0, 1);
        BufferedImage image = new BufferedImage(1200, 450, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        loss.draw(g, new Rectangle2D.Double(0, 0, 600, 450));
        accuracy.draw(g, new Rectangle2D.Double(600, 0, 600, 450));
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static JFreeChart lineChart(String title, History history, String trainKey, String valKey) {
        XYSeries train = new XYSeries("training");
        XYSeries val = new XYSeries("validation");
        for (EpochLogs e : history.epochs()) {
            train.add(e.epoch() + 1, e.metric(trainKey));
            if (e.hasValidation()) {
                val.add(e.epoch() + 1, e.metric(valKey));
            }
        }
        XYSeriesCollection data = new XYSeriesCollection(train);
        if (val.getItemCount() > 0) {
            data.addSeries(val);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", title.toLowerCase(Locale.ROOT), data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, TRAIN);
        renderer.setSeriesPaint(1, VALIDATION);
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesStroke(1, new BasicStroke(2f));
        plot.setRenderer(renderer);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart;
    }

    /** {@code confusion_matrix.png}: counts (left) and rows normalised to recall (right). */
    public static void confusionMatrix(Path file, ConfusionMatrix matrix, List<String> classNames) throws IOException {
        int k = matrix.numClasses();
        int cell = Math.max(48, Math.min(90, 560 / k));
        int side = cell * k + 190;
        JFreeChart counts = heatmap("Counts", matrix, classNames, false);
        JFreeChart normalized = heatmap("Normalised by true class (recall)", matrix, classNames, true);
        BufferedImage image = new BufferedImage(2 * side, side + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        counts.draw(g, new Rectangle2D.Double(0, 0, side, side + 40));
        normalized.draw(g, new Rectangle2D.Double(side, 0, side, side + 40));
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static JFreeChart heatmap(String title, ConfusionMatrix matrix, List<String> names, boolean normalize) {
        int k = matrix.numClasses();
        double[][] rows = matrix.rowNormalized();
        double max = 0;
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                max = Math.max(max, matrix.count(t, p));
            }
        }
        // x = predicted class, y = true class drawn top-down (row 0 at the top, as printed).
        double[] xs = new double[k * k];
        double[] ys = new double[k * k];
        double[] zs = new double[k * k];
        DefaultXYZDataset data = new DefaultXYZDataset();
        XYPlot plot = new XYPlot();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                int i = t * k + p;
                xs[i] = p;
                ys[i] = t;
                double share = rows[t][p];
                zs[i] = normalize ? share : (max == 0 ? 0 : matrix.count(t, p) / max);
                String label = normalize ? String.format(Locale.ROOT, "%.2f", share) : Long.toString(matrix.count(t, p));
                XYTextAnnotation text = new XYTextAnnotation(label, p, t);
                text.setFont(new Font(Font.SANS_SERIF, Font.BOLD, k > 8 ? 10 : 13));
                text.setPaint(zs[i] > 0.55 ? Color.WHITE : Color.BLACK);
                plot.addAnnotation(text);
            }
        }
        data.addSeries("cells", new double[][] {xs, ys, zs});
        String[] labels = names.toArray(new String[0]);
        SymbolAxis predicted = new SymbolAxis("predicted", labels);
        predicted.setGridBandsVisible(false);
        predicted.setVerticalTickLabels(k > 5);
        SymbolAxis actual = new SymbolAxis("true", labels);
        actual.setGridBandsVisible(false);
        actual.setInverted(true);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(new BluePaintScale());
        plot.setDataset(data);
        plot.setDomainAxis(predicted);
        plot.setRangeAxis(actual);
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        predicted.setRange(-0.5, k - 0.5);
        actual.setRange(-0.5, k - 0.5);
        JFreeChart chart = new JFreeChart(plot);
        chart.removeLegend();
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 16)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** White (0) to dark blue (1), the colour map most confusion-matrix plots use. */
    private static final class BluePaintScale implements PaintScale {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 1;
        }

        @Override
        public java.awt.Paint getPaint(double value) {
            double v = Math.max(0, Math.min(1, value));
            int r = (int) Math.round(247 - v * (247 - 8));
            int g = (int) Math.round(251 - v * (251 - 48));
            int b = (int) Math.round(255 - v * (255 - 107));
            return new Color(r, g, b);
        }
    }
}
