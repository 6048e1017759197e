package io.bulkexport.presigned;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class PresignedListingTest {

    @Test
    void should_name_files_after_the_last_segment_of_the_url_path_without_the_query() {
        assertThat(PresignedListing.names(List.of(
                URI.create("https://bucket.s3.amazonaws.com/15/847070_1.txt?X-Amz-Signature=abc"),
                URI.create("https://bucket.s3.amazonaws.com/15/847070_2.csv?X-Amz-Signature=def"))))
                .containsExactly("847070_1.txt", "847070_2.csv");
    }

    @Test
    void should_keep_the_whole_path_where_two_files_share_a_last_segment() {
        assertThat(PresignedListing.names(List.of(URI.create("https://h/a/x.csv?s=1"), URI.create("https://h/b/x.csv?s=2"))))
                .containsExactly("a/x.csv", "b/x.csv");
    }

    @Test
    void should_read_datafiniti_dates_and_iso_dates_as_utc() {
        assertThat(PresignedListing.instant("2017-1-11 15:53:00")).isEqualTo(Instant.parse("2017-01-11T15:53:00Z"));
        assertThat(PresignedListing.instant("2023-05-04T09:42:00+00:00")).isEqualTo(Instant.parse("2023-05-04T09:42:00Z"));
        assertThat(PresignedListing.instant("yesterday")).isNull();
    }

    @Test
    void should_know_when_a_sigv4_url_stops_working() {
        assertThat(PresignedLinks.signatureExpiry(URI.create(
                "https://h/k?X-Amz-Date=20250101T000000Z&X-Amz-Expires=604800&X-Amz-Signature=x")))
                .isEqualTo(Instant.parse("2025-01-08T00:00:00Z"));
        assertThat(PresignedLinks.signatureExpiry(URI.create("https://h/k?sig=x"))).isNull();
    }
}
