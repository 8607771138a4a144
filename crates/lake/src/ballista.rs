//! Ballista (the `ballista` feature): the lake's plans on a cluster. The client context is
//! a `SessionContext` like DataFusion's, so [`crate::lake_carbon_map`] registers the same
//! tables and runs the same SQL; the scheduler plans stages and the executors read the
//! lake's files (they must see them at the same path: a shared filesystem or object store).

use crate::LakeError;
use ballista::prelude::SessionContextExt;
use ballista_core::serde::BallistaCodec;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use datafusion::prelude::SessionContext;
use std::time::Duration;

/// A client context on the scheduler at `host:port`.
pub(crate) async fn remote(addr: &str) -> Result<SessionContext, LakeError> {
    Ok(SessionContext::remote(&format!("df://{addr}")).await?)
}

/// Starts a Ballista scheduler and `executors` executors (`vcores` task slots each) in
/// this process, on loopback with ephemeral ports; they run on their own thread until the
/// process exits. Returns the scheduler's `host:port` (for `ballista://host:port`).
pub fn start_local_cluster(executors: usize, vcores: usize) -> Result<String, LakeError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("ballista-local".into())
        .stack_size(crate::ENGINE_STACK_BYTES)
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .thread_stack_size(crate::ENGINE_STACK_BYTES)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            rt.block_on(async move {
                let started: Result<String, String> = async {
                    let addr = ballista_scheduler::standalone::new_standalone_scheduler()
                        .await
                        .map_err(|e| format!("scheduler: {e}"))?;
                    let url = format!("http://localhost:{}", addr.port());
                    for _ in 0..executors {
                        let client = loop {
                            match SchedulerGrpcClient::connect(url.clone()).await {
                                Ok(c) => break c,
                                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                            }
                        };
                        ballista_executor::new_standalone_executor(
                            client,
                            vcores,
                            BallistaCodec::default(),
                        )
                        .await
                        .map_err(|e| format!("executor: {e}"))?;
                    }
                    Ok(format!("localhost:{}", addr.port()))
                }
                .await;
                let _ = tx.send(started);
                std::future::pending::<()>().await;
            });
        })
        .map_err(|e| LakeError::Invalid(format!("starting the Ballista thread: {e}")))?;
    rx.recv()
        .map_err(|_| LakeError::Invalid("the Ballista thread stopped".into()))?
        .map_err(LakeError::Invalid)
}
