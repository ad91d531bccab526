console.log('headless');
