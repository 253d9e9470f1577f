package bluegreen.conformance;

import com.carrotsearch.randomizedtesting.annotations.Name;
import com.carrotsearch.randomizedtesting.annotations.ParametersFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.After;
import org.opensearch.test.rest.yaml.ClientYamlTestCandidate;
import org.opensearch.test.rest.yaml.OpenSearchClientYamlSuiteTestCase;

/**
 * OpenSearch's REST API YAML tests against the cluster named by -Dtests.rest.cluster.
 *
 * With -Dbluegreen.checkpoint=URL set, every test ends by POSTing its path to URL and waiting for the
 * answer. JUnit runs a subclass's @After before the base class's, so the checkpoint sees the test's
 * indices before the framework wipes the cluster. The answer's status is deliberately ignored here: the
 * caller records mismatches itself, so a checkpoint never changes a test's pass/fail result. Only an
 * unreachable checkpoint fails the test, because then nothing was checked.
 *
 * HttpURLConnection with "Connection: close" rather than java.net.http: the randomized runner fails the
 * suite on threads left behind, and neither a selector thread nor a keep-alive timer is started this way.
 */
public class RestApiYamlTests extends OpenSearchClientYamlSuiteTestCase {

    private static final String CHECKPOINT = System.getProperty("bluegreen.checkpoint", "");
    private static final int CHECKPOINT_EVERY = Integer.getInteger("bluegreen.checkpoint.every", 1);
    private static int testsSeen = 0;

    private final ClientYamlTestCandidate candidate;

    public RestApiYamlTests(@Name("yaml") ClientYamlTestCandidate testCandidate) {
        super(testCandidate);
        this.candidate = testCandidate;
    }

    @ParametersFactory
    public static Iterable<Object[]> parameters() throws Exception {
        return createParameters();
    }

    /** -Dbluegreen.jsonOnly=true sends every body as JSON: separates body-format problems from the rest. */
    @Override
    protected boolean randomizeContentType() {
        return Boolean.getBoolean("bluegreen.jsonOnly") == false;
    }

    @After
    public void checkpoint() throws IOException {
        if (CHECKPOINT.isEmpty()) return;
        testsSeen++;
        if (CHECKPOINT_EVERY > 1 && testsSeen % CHECKPOINT_EVERY != 0) return;
        byte[] body = candidate.getTestPath().getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = (HttpURLConnection) URI.create(CHECKPOINT).toURL().openConnection();
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
