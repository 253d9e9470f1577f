package bluegreen.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * What both flavours' test classes do after each test: with -Dbluegreen.checkpoint=URL set, POST the
 * test's path to URL and wait for the answer.
 *
 * Each flavour calls this from its own @After: JUnit runs a subclass's @After before the base class's,
 * so the checkpoint sees the test's indices before the framework wipes the cluster. The answer's
 * status is deliberately ignored here: the caller records mismatches itself, so a checkpoint never
 * changes a test's pass/fail result. Only an unreachable checkpoint fails the test, because then
 * nothing was checked.
 *
 * HttpURLConnection with "Connection: close" rather than java.net.http: the randomized runner fails the
 * suite on threads left behind, and neither a selector thread nor a keep-alive timer is started this way.
 */
final class Checkpoint {

    private static final String URL = System.getProperty("bluegreen.checkpoint", "");
    private static final int EVERY = Integer.getInteger("bluegreen.checkpoint.every", 1);
    private static int testsSeen = 0;

    private Checkpoint() {}

    /** -Dbluegreen.jsonOnly=true sends every body as JSON: separates body-format problems from the rest. */
    static boolean randomizeContentType() {
        return Boolean.getBoolean("bluegreen.jsonOnly") == false;
    }

    static void after(String testPath) throws IOException {
        if (URL.isEmpty()) return;
        testsSeen++;
        if (EVERY > 1 && testsSeen % EVERY != 0) return;
        byte[] body = testPath.getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = (HttpURLConnection) URI.create(URL).toURL().openConnection();
        try {
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(300_000);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Connection", "close");
            connection.setRequestProperty("Content-Type", "text/plain; charset=utf-8");
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (in != null) in.readAllBytes();
            }
        } finally {
            connection.disconnect();
        }
    }
}
