package bluegreen.conformance;

import com.carrotsearch.randomizedtesting.annotations.Name;
import com.carrotsearch.randomizedtesting.annotations.ParametersFactory;
import java.io.IOException;
import org.junit.After;
import org.elasticsearch.test.rest.yaml.ClientYamlTestCandidate;
import org.elasticsearch.test.rest.yaml.ESClientYamlSuiteTestCase;

/**
 * Elasticsearch 7.10's REST API YAML tests against the cluster named by -Dtests.rest.cluster; see
 * Checkpoint.
 */
public class ElasticsearchYamlTests extends ESClientYamlSuiteTestCase {

    private final ClientYamlTestCandidate candidate;

    public ElasticsearchYamlTests(@Name("yaml") ClientYamlTestCandidate testCandidate) {
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
