package bluegreen.conformance;

import com.carrotsearch.randomizedtesting.annotations.Name;
import com.carrotsearch.randomizedtesting.annotations.ParametersFactory;
import java.io.IOException;
import org.junit.After;
import org.opensearch.test.rest.yaml.ClientYamlTestCandidate;
import org.opensearch.test.rest.yaml.OpenSearchClientYamlSuiteTestCase;

/** OpenSearch's REST API YAML tests against the cluster named by -Dtests.rest.cluster; see Checkpoint. */
public class OpenSearchYamlTests extends OpenSearchClientYamlSuiteTestCase {

    private final ClientYamlTestCandidate candidate;

    public OpenSearchYamlTests(@Name("yaml") ClientYamlTestCandidate testCandidate) {
        super(testCandidate);
        this.candidate = testCandidate;
    }

    @ParametersFactory
    public static Iterable<Object[]> parameters() throws Exception {
        return createParameters();
    }

    @Override
    protected boolean randomizeContentType() {
        return Checkpoint.randomizeContentType();
    }

    @After
    public void checkpoint() throws IOException {
        Checkpoint.after(candidate.getTestPath());
    }
}
