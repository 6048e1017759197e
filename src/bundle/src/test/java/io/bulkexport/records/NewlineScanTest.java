package io.bulkexport.records;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class NewlineScanTest {

    @Test
    void finds_the_first_newline_at_every_position_and_alignment() {
        Random random = new Random(3);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                int pick = random.nextInt(10);
                bytes[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x8A : pick == 2 ? 0x0B : pick == 3 ? 0x09 : random.nextInt(256));
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int to = from + random.nextInt(bytes.length - from + 1);
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (bytes[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertThat(JsonLinesReader.indexOfNewline(bytes, from, to)).isEqualTo(expected);
        }
    }
}
