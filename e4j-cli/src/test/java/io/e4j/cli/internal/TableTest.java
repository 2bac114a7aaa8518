package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {
  private static String print(Table table) {
    StringWriter text = new StringWriter();
    table.print(new PrintWriter(text));
    return text.toString().replace(System.lineSeparator(), "\n");
  }

  @Test
  void columnsAligned_twoSpacesApart_noTrailingSpaces_emptyCellsAsDash() {
    Table table =
        Table.withColumns("NAME", "ID", "NOTE")
            .row("meter-1", "00ff", "")
            .row("a-much-longer-name", "0a", "last column not padded");
    assertThat(print(table))
        .isEqualTo(
            "NAME                ID    NOTE\n"
                + "meter-1             00ff  -\n"
                + "a-much-longer-name  0a    last column not padded\n");
    assertThat(table.size()).isEqualTo(2);
  }

  @Test
  void headerOnly_whenEmpty_andRowsMustFit() {
    assertThat(print(Table.withColumns("TOPIC", "KEY VERSION"))).isEqualTo("TOPIC  KEY VERSION\n");
    assertThatThrownBy(() -> Table.withColumns("A", "B").row("1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
