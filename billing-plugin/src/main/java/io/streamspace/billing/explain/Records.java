package io.streamspace.billing.explain;

import io.streamspace.billing.invoicing.InvoiceView;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.List;

/** What a line's records are and how they add up: each kind of line has its own. */
interface Records {

  /** What is done with each record of a line read whole. */
  @FunctionalInterface
  interface RecordSink {
    void accept(ExplainedRecord record) throws SQLException;
  }

  /**
   * How many lines of the line's own kind come before it on the invoice: the k-th line of a kind
   * that is stored one per thing (a credit used, a store purchase) stands for the k-th thing.
   */
  static int placeAmongItsKind(InvoiceView.WithLines document, InvoiceView.Line line) {
    int k = 0;
    for (InvoiceView.Line other : document.lines()) {
      if (other.lineNo() == line.lineNo()) {
        break;
      }
      if (line.kind().equals(other.kind())) {
        k++;
      }
    }
    return k;
  }

  /** The line's rule, in a sentence. */
  String computation();

  long count() throws SQLException;

  /** The line's amount computed from every record by the invoice's rule. */
  BigDecimal total() throws SQLException;

  BigDecimal sumOfRounded() throws SQLException;

  List<ExplainedRecord> page(long offset, int limit) throws SQLException;

  /** Every record, in order, without their events. */
  void forEach(RecordSink sink) throws SQLException;

  /** A line's few records, computed whole. */
  record Listed(String computation, List<ExplainedRecord> all, BigDecimal total)
      implements Records {

    @Override
    public long count() {
      return all.size();
    }

    @Override
    public BigDecimal sumOfRounded() {
      return all.stream().map(ExplainedRecord::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Override
    public List<ExplainedRecord> page(long offset, int limit) {
      int from = (int) Math.min(offset, all.size());
      return all.subList(from, (int) Math.min(all.size(), from + (long) limit));
    }

    @Override
    public void forEach(RecordSink sink) throws SQLException {
      for (ExplainedRecord r : all) {
        sink.accept(r);
      }
    }
  }
}
